// Parses "--name value" flags (and bare "--flag" booleans) against a table of defaults.

/**
 * Returns { ...defaults, ...given }; numbers in defaults make their flag numeric. A bad or unknown
 * flag ends the process with exit code 2 and one line naming the known flags.
 */
export function parseFlags(argv, defaults) {
  try {
    return parse(argv, defaults);
  } catch (error) {
    console.error(`${process.argv[1]}: ${error.message}`);
    process.exit(2);
  }
}

function parse(argv, defaults) {
  const flags = { ...defaults };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    if (!(name in defaults)) throw new Error(`unknown flag --${name}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    if (typeof defaults[name] === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`flag --${name} needs a value`);
    flags[name] = typeof defaults[name] === 'number' ? Number(value) : value;
    if (typeof defaults[name] === 'number' && !Number.isFinite(flags[name])) throw new Error(`--${name} must be a number, got "${value}"`);
  }
  return flags;
}

/** "a,b,c" → ['a','b','c'], dropping empties. */
export const list = (text) => String(text).split(',').map((s) => s.trim()).filter(Boolean);
