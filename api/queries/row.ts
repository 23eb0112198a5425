/**
 * A row as pg returns it: the instants a JSON answer shows as ISO 8601 strings (the response
 * schemas) are Dates here, and become those strings when the answer is serialized.
 */
export type Row<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? Date | null : Date };
