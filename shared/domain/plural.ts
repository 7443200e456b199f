/**
 * A count with its noun, as people write it: "1 person", "3 people", "0 requests". Pages, e-mails, tasks and terminal
 * lines say "3 requests", never "3 request(s)".
 */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;
