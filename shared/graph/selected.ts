/**
 * Graph resources as read with `$select`, on top of Microsoft's generated resource types
 * (`@microsoft/microsoft-graph-types`, where every property is optional): the selected properties are present,
 * keys are never null, and a property that was not selected cannot be read.
 */

/** A resource read with `$select` of K: each property present, and null where Graph may return null. */
export type Selected<T, K extends keyof T> = { [P in K]-?: Exclude<T[P], undefined> };
/** Properties every object of the type has (its keys): present and not null. */
export type Always<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> };

/** A `$select` list checked against the resource's properties, with the keys kept for the read type. */
export function selectList<T>() {
  return <const K extends readonly (keyof T & string)[]>(...keys: K) => ({ keys, $select: keys.join(",") });
}
