/** ResultCache methods for inferline's other layers only (Model, after a repository's warmup), behind symbols. */
export const kResetCacheCounts = Symbol('inferline.cache.resetCounts');
