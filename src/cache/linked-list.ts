/** A doubly linked list with O(1) append, removal and move-to-end, for the cache's LRU and age orders. */

/** A list node; a value can sit in several lists at once through one node per list. */
export class ListNode<T> {
  /** Neighbour towards the oldest end; null at the head or when unlinked. */
  prev: ListNode<T> | null = null;
  /** Neighbour towards the newest end; null at the tail or when unlinked. */
  next: ListNode<T> | null = null;
  /** Whether the node is in a list (a removed node is never removed twice). */
  linked = false;

  constructor(readonly value: T) {}
}

export class LinkedList<T> {
  /** Oldest node. */
  #head: ListNode<T> | null = null;
  /** Newest node. */
  #tail: ListNode<T> | null = null;

  /** The oldest value, or undefined when empty. */
  get first(): T | undefined {
    return this.#head?.value;
  }

  /** Appends `node` (not in any list) as the newest. */
  push(node: ListNode<T>): void {
    node.prev = this.#tail;
    node.next = null;
    if (this.#tail === null) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    node.linked = true;
  }

  /** Unlinks `node` from this list; a node that is not linked is left alone. */
  remove(node: ListNode<T>): void {
    if (!node.linked) return;
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    node.linked = false;
  }

  /** Makes `node` (in this list) the newest. */
  moveToEnd(node: ListNode<T>): void {
    if (this.#tail === node) return;
    this.remove(node);
    this.push(node);
  }

  /** Unlinks every node, so that a stale reference to one cannot unlink it again later. */
  clear(): void {
    for (let node = this.#head; node !== null; ) {
      const next = node.next;
      node.prev = null;
      node.next = null;
      node.linked = false;
      node = next;
    }
    this.#head = null;
    this.#tail = null;
  }

  /** Values from oldest to newest. */
  *values(): IterableIterator<T> {
    for (let node = this.#head; node !== null; node = node.next) yield node.value;
  }
}
