/** What the result cache offers inferline's other layers only (Model), kept off its public API. */
export const kResetCacheCounts = Symbol('inferline.cache.resetCounts');

/**
 * Outputs a caller made for the cache alone (Model's own copies of a batch's outputs, taken before
 * a postprocess worker receives them): run() keeps them as they are instead of copying them again.
 */
const kHandedOver = new WeakSet<object>();

/** Marks `outputs` as the cache's to keep: nobody else holds them, nobody will read them. */
export function handOverToCache<T extends object>(outputs: T): T {
  kHandedOver.add(outputs);
  return outputs;
}

export function isHandedOver(outputs: object): boolean {
  return kHandedOver.has(outputs);
}
