// JS entry points of the 128-bit hash (native/cache/hash128.h) used by the result cache's keys.
//
//   hash128(data, out, seed?) => undefined
//   hash128List(list, out, seed?) => undefined
//
// Both read bytes in place, never copying them: any TypedArray (Buffer included), DataView or
// ArrayBuffer, honouring byteOffset and byteLength. The digest goes into the caller's `out`, a
// Uint32Array (4+ elements) or BigUint64Array (2+), as two 64-bit words (first half, then second)
// in host byte order: writing into a reused array is cheaper than returning a new value. `seed`
// is an optional integer from 0 to 2^53 - 1 (default 0). hash128List gives one digest for a list
// of byte ranges, order and boundaries included (one call for all of a request's inputs): each
// item is hashed on its own, then (length, digest, index) of each is one stripe of an outer hash
// whose length is the item count.
//
// Bad arguments throw a TypeError with code ERR_INFERLINE_INVALID_ARG; a detached buffer is
// refused. They are plain Node-API callbacks rather than Napi::Function::New wrappers: at ~1 KB
// per call the call itself costs more than the hashing, and the wrapper added a third to it.
#pragma once

#include <napi.h>

namespace inferline {

Napi::Function Hash128Function(Napi::Env env);
Napi::Function Hash128ListFunction(Napi::Env env);

}  // namespace inferline
