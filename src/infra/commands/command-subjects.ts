/** Where a tenant's hosts listen for commands; all hosts share one queue group. */
export const commandSubject = (tenant: string): string => `passage.${tenant}.commands`;
export const HOST_QUEUE_GROUP = 'passage-hosts';
