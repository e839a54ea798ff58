/**
 * Session methods for the layers above it (Model's batcher), kept off the public API behind
 * symbols: they take feeds already checked by the session's own FeedBinder.
 */
export const kBindFeeds = Symbol('inferline.session.bindFeeds');
export const kRunBound = Symbol('inferline.session.runBound');
export const kRunBatch = Symbol('inferline.session.runBatch');
