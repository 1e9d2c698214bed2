// A small JSON Schema (2020-12 subset) validator: enough for what z.toJSONSchema emits, so tests can check real
// responses against the OpenAPI document itself rather than against the zod schemas it was made from.

export type JsonSchema = Record<string, unknown>;

export interface SchemaIssue {
  path: string;
  message: string;
}

const SUPPORTED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'oneOf',
  'allOf',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  // annotations: no effect on validity here
  'format',
  'default',
  'description',
  'title',
  'examples',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const t = typeOf(value);
  if (type === 'integer') return t === 'number' && Number.isInteger(value);
  return t === type;
}

/** Resolves `#/a/b/c` in `root`. */
function resolveRef(root: unknown, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (!node || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
  return node as JsonSchema;
}

/** Every way `value` breaks `schema` (empty when it is valid). `root` is the document `$ref`s point into. */
export function validateJson(schema: JsonSchema, value: unknown, root: unknown = schema, path = '$'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (message: string, at = path) => issues.push({ path: at, message });

  for (const key of Object.keys(schema)) {
    // An unknown keyword would silently validate nothing: fail loudly instead, so this checker stays honest.
    if (!SUPPORTED.has(key) && !key.startsWith('x-'))
      throw new Error(`unsupported JSON Schema keyword "${key}" at ${path}`);
  }
  if (typeof schema.$ref === 'string') issues.push(...validateJson(resolveRef(root, schema.$ref), value, root, path));

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => matchesType(value, t))) add(`expected ${types.join(' | ')}, got ${typeOf(value)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value))
    add(`not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value) add(`expected ${JSON.stringify(schema.const)}`);

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) add(`shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) add(`longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      add(`does not match ${schema.pattern}`);
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) add(`below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) add(`above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) add('too small');
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) add('too large');
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      add(`fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      add(`more than ${schema.maxItems} items`);
    if (schema.items && typeof schema.items === 'object') {
      value.forEach((item, i) => {
        issues.push(...validateJson(schema.items as JsonSchema, item, root, `${path}[${i}]`));
      });
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) add(`missing required property "${key}"`);
    }
    for (const [key, v] of Object.entries(obj)) {
      const at = `${path}.${key}`;
      if (props[key]) issues.push(...validateJson(props[key], v, root, at));
      else if (schema.additionalProperties === false) add('property not in the schema', at);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        issues.push(...validateJson(schema.additionalProperties as JsonSchema, v, root, at));
      }
    }
  }

  if (Array.isArray(schema.allOf)) {
    for (const sub of schema.allOf as JsonSchema[]) issues.push(...validateJson(sub, value, root, path));
  }
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as JsonSchema[]).some((sub) => validateJson(sub, value, root, path).length === 0);
    if (!ok) add('matches none of anyOf');
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as JsonSchema[]).filter((sub) => validateJson(sub, value, root, path).length === 0);
    if (matching.length !== 1) add(`matches ${matching.length} of oneOf (exactly 1 required)`);
  }
  return issues;
}
