/**
 * Records kept in id order next to a map by id, so that a keyset page ("the items after this id") is a
 * binary search plus the page itself: a full listing costs its size, not its size squared. Ids arrive
 * mostly in increasing order (sequence numbers), so an insert is usually an append.
 */
export class IdOrdered<V> {
  private readonly ids: string[] = [];
  private readonly byId = new Map<string, V>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): V | undefined {
    return this.byId.get(id);
  }

  set(id: string, value: V): void {
    if (!this.byId.has(id)) {
      const last = this.ids[this.ids.length - 1];
      if (last === undefined || last < id) this.ids.push(id);
      else this.ids.splice(this.firstIndexAfter(id), 0, id);
    }
    this.byId.set(id, value);
  }

  clear(): void {
    this.ids.length = 0;
    this.byId.clear();
  }

  /** All values, in id order. */
  values(): IterableIterator<V> {
    return this.after("");
  }

  /** The values whose id is greater than `after`, in id order. */
  *after(after: string): IterableIterator<V> {
    for (let i = this.firstIndexAfter(after); i < this.ids.length; i++) yield this.byId.get(this.ids[i]) as V;
  }

  private firstIndexAfter(id: string): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ids[middle] <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
