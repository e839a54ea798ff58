/**
 * What a protocol front (HTTP, gRPC) reports about each inference request it served, for the
 * metrics: the model's own stats count requests that reached the model; these count every
 * request the front answered, those refused before the model (a bad tensor, an unknown model)
 * included, and time the front's own work (decoding and encoding) with it.
 */
export interface RequestObservation {
  protocol: 'http' | 'grpc';
  /** The model's name; '' when the request named no model the server knows. */
  model: string;
  /** The model's version; '' when unknown. */
  version: string;
  /** The outcome: 'OK', else the gRPC status name (e.g. 'INVALID_ARGUMENT') or the HTTP status code. */
  status: string;
  /** Seconds from the request's arrival at the front to its response being handed to the transport. */
  seconds: number;
}

export type RequestObserver = (observation: RequestObservation) => void;
