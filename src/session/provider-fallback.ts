/**
 * `providers` is a list in order of preference, as in onnxruntime-node and Triton: a GPU provider
 * whose libraries are missing here is skipped (with a process warning) when a later provider can
 * take over. Only when none can is it an error (ERR_INFERLINE_PROVIDER_UNAVAILABLE, from the
 * addon, with ONNX Runtime's reason).
 */
import type { NativeSessionOptions, ProviderName } from './session-options.js';

type NativeProvider = NonNullable<NativeSessionOptions['providers']>[number];

export function dropUnavailableProviders(
  providers: NativeProvider[] | undefined,
  available: readonly string[],
  label: string,
): NativeProvider[] | undefined {
  if (providers === undefined) return undefined;
  const usable = (name: ProviderName): boolean => available.includes(name);
  const kept: NativeProvider[] = [];
  for (let i = 0; i < providers.length; i++) {
    const provider = providers[i]!;
    const fallbackLater = providers.slice(i + 1).some((next) => usable(next.name));
    if (!usable(provider.name) && fallbackLater) {
      process.emitWarning(
        `Session "${label}": execution provider "${provider.name}" is not available here (its ONNX Runtime provider library is missing); using the next one in the list`,
        { code: 'INFERLINE_PROVIDER_FALLBACK' },
      );
      continue;
    }
    kept.push(provider);
  }
  return kept;
}
