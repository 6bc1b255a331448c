// Generates protocol/metaModel.json, the protocol in machine-readable form (in the manner of
// the LSP's metaModel.json) for clients generated in other languages, e.g. C# for
// StreamJsonRpc, and protocol/schemas/kubebridge.schema.json, the workspace file's schema.
// Sources, all in protocol/: the namespaces that declare a method (its vscode-jsonrpc
// message type gives params and result types), the TypeBox declarations the server
// validates params and kubebridge.yaml with (published as they are, descriptions and limits
// included), each message's declared traits (direction, whether it reports progress and
// whether it can be cancelled), the reserved methods, and the error codes with their
// reasons; PROTOCOL.md only orders the methods as the spec reads and lists the reasons of
// each error code. Results and
// notification params, which the server writes and never validates, are converted from
// their TypeScript declarations.
//
// Run after `npm run compile`: node scripts/generate-meta-model.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = new URL('..', import.meta.url);
const path = (relative) => fileURLToPath(new URL(relative, root));
export const META_MODEL_FILE = path('protocol/metaModel.json');
export const WORKSPACE_SCHEMA_FILE = path('protocol/schemas/kubebridge.schema.json');

const loadProtocol = () => import(new URL(`out/protocol/index.js?${Date.now()}`, root).href);
const sortedKeys = (object) => Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));

const typeBoxKind = Symbol.for('TypeBox.Kind');
const describedFrom = Symbol.for('kubebridge.DescribedFrom');

/** Whether `a` is `b` or a shallow copy of it (what `Type.Optional` makes of a declaration). */
function sameSchema(a, b) {
	if (a === b) return true;
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * TypeBox declarations (protocol/schema.ts) as published JSON Schema: a part that is itself
 * an exported declaration becomes a `$ref` to a definition of that name, so generated
 * clients get one type for it.
 */
class SchemaPublisher {
	#named;
	#definitions;

	constructor(protocol, definitions) {
		this.#named = Object.entries(protocol).filter(([, value]) => value?.[typeBoxKind]);
		this.#definitions = definitions;
	}

	named(name) {
		return this.#named.find(([n]) => n === name)?.[1];
	}

	#nameOf(schema) {
		return this.#named.find(([, declared]) => sameSchema(schema, declared))?.[0];
	}

	define(name) {
		if (!(name in this.#definitions)) {
			this.#definitions[name] = {};
			this.#definitions[name] = this.publish(this.named(name));
		}
		return { $ref: `#/definitions/${name}` };
	}

	publish(schema, root = true) {
		if (Array.isArray(schema)) return schema.map((item) => (typeof item === 'object' && item !== null ? this.publish(item, false) : item));
		if (!root) {
			const name = this.#nameOf(schema[describedFrom] ?? schema);
			if (name) return schema[describedFrom] ? { ...this.define(name), description: schema.description } : this.define(name);
		}
		return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, typeof value === 'object' && value !== null ? this.publish(value, false) : value]));
	}
}

/** TypeScript declarations as JSON Schema; named interfaces and aliases go to `definitions`. */
class TypeConverter {
	definitions;
	#checker;
	#publisher;
	#declaredTypes = new Map();

	/**
	 * Shares `definitions` with `publisher`: types that are TypeBox declarations are
	 * published from those (descriptions and limits included).
	 */
	constructor(checker, publisher, definitions) {
		this.#checker = checker;
		this.#publisher = publisher;
		this.definitions = definitions;
	}

	/**
	 * A `Static<typeof X>` type reaches the checker without its alias name; the types of the
	 * declarations are known by identity instead (objects and enums only: a plain
	 * `string | number` elsewhere is not a ProgressToken).
	 */
	knowDeclaredTypes(symbols) {
		for (const symbol of symbols) {
			if (!(symbol.flags & ts.SymbolFlags.TypeAlias) || !this.#publisher.named(symbol.getName())) continue;
			const type = this.#checker.getDeclaredTypeOfSymbol(symbol);
			const literals = type.isUnion() && type.types.every((t) => t.flags & ts.TypeFlags.StringLiteral);
			if (type.flags & ts.TypeFlags.Object || literals) this.#declaredTypes.set(type, symbol.getName());
		}
	}

	documentation(symbol) {
		const text = ts.displayPartsToString(symbol.getDocumentationComment(this.#checker)).trim();
		return text ? { description: text } : {};
	}

	#named(type) {
		const symbol = type.aliasSymbol ?? (type.symbol && (type.symbol.flags & ts.SymbolFlags.Interface) ? type.symbol : undefined);
		if (!symbol || type.aliasTypeArguments?.length) return undefined;
		const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
		return file.includes('/protocol/') ? symbol : undefined;
	}

	schema(type) {
		const declaredName = this.#declaredTypes.get(type);
		if (declaredName) return this.#publisher.define(declaredName);
		const named = this.#named(type);
		if (named) {
			const name = named.getName();
			if (this.#publisher.named(name)) return this.#publisher.define(name);
			if (!(name in this.definitions)) {
				this.definitions[name] = {};
				this.definitions[name] = { ...this.documentation(named), ...this.#structure(type) };
			}
			return { $ref: `#/definitions/${name}` };
		}
		return this.#structure(type);
	}

	#structure(type) {
		const f = type.flags;
		if (f & ts.TypeFlags.Any || f & ts.TypeFlags.Unknown) return {};
		if (f & ts.TypeFlags.String) return { type: 'string' };
		if (f & ts.TypeFlags.Number) return { type: 'number' };
		if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
		if (f & ts.TypeFlags.Null) return { type: 'null' };
		if (f & ts.TypeFlags.StringLiteral || f & ts.TypeFlags.NumberLiteral) return { const: type.value };
		if (f & ts.TypeFlags.BooleanLiteral) return { const: type.intrinsicName === 'true' };
		if (type.isUnion()) return this.#union(type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)));
		if (this.#checker.isArrayType(type) || this.#checker.isTupleType(type)) {
			const [item] = this.#checker.getTypeArguments(type);
			return { type: 'array', items: this.schema(item) };
		}
		if (f & ts.TypeFlags.Object || type.isIntersection()) return this.#object(type);
		throw new Error(`cannot describe type ${this.#checker.typeToString(type)}`);
	}

	#union(members) {
		if (members.length === 1) return this.schema(members[0]);
		const booleans = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
		const rest = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
		const options = [...(booleans.length === 2 ? [{ type: 'boolean' }] : booleans.map((t) => this.schema(t))), ...rest.map((t) => this.schema(t))];
		if (options.length === 1) return options[0];
		if (options.every((o) => 'const' in o && typeof o.const === 'string')) return { type: 'string', enum: options.map((o) => o.const) };
		return { anyOf: options };
	}

	#object(type) {
		const checker = this.#checker;
		const index = checker.getIndexInfosOfType(type)[0];
		const properties = checker.getPropertiesOfType(type);
		if (index && properties.length === 0) {
			const values = index.type;
			return values.flags & ts.TypeFlags.Never ? { type: 'object', additionalProperties: false } : { type: 'object', additionalProperties: this.schema(values) };
		}
		const required = [];
		const described = {};
		for (const property of properties) {
			const declaration = property.valueDeclaration ?? property.declarations?.[0];
			const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
			described[property.getName()] = { ...this.documentation(property), ...this.schema(propertyType) };
			if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.getName());
		}
		return { type: 'object', properties: described, ...(required.length ? { required } : {}), additionalProperties: false };
	}
}

/** The methods in the order PROTOCOL.md's `### \`method\`` sections take. */
const documentedOrder = (spec) => spec.split(/^### `/m).slice(1).map((section) => section.slice(0, section.indexOf('`')));

/** Per error code, the reasons the spec's error table lists for it. */
function documentedReasons(spec, reasons) {
	const byName = new Map();
	for (const row of spec.matchAll(/^\| (-\d+) \| `(\w+)` \| (.*) \|$/gm)) {
		byName.set(row[2], [...row[3].matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((r) => reasons.includes(r)));
	}
	return byName;
}

/** The protocol's namespaces that declare a method, with their message type's arguments. */
function declaredMessages(program, converter) {
	const checker = program.getTypeChecker();
	const index = program.getSourceFile(path('protocol/index.ts'));
	const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index))
		.map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
	const messages = new Map();
	for (const symbol of exports) {
		if (!(symbol.flags & ts.SymbolFlags.Module)) continue;
		const members = checker.getExportsOfModule(symbol);
		const method = members.find((m) => m.getName() === 'method');
		const typeMember = members.find((m) => m.getName() === 'type');
		if (!method || !typeMember) continue;
		const name = checker.getTypeOfSymbol(method).value;
		const messageType = checker.getTypeOfSymbol(typeMember);
		const kind = messageType.symbol.getName();
		const isRequest = kind.startsWith('Request');
		const args = checker.getTypeArguments(messageType);
		const [params, result] = {
			RequestType: [args[0], args[1]], RequestType0: [undefined, args[0]],
			NotificationType: [args[0], undefined], NotificationType0: [undefined, undefined],
		}[kind] ?? (() => { throw new Error(`${symbol.getName()}.type is a ${kind}`); })();
		messages.set(name, {
			namespace: symbol.getName(),
			kind: isRequest ? 'request' : 'notification',
			...converter.documentation(symbol),
			...(params ? { paramsType: params } : {}),
			...(result ? { resultType: result } : {}),
		});
	}
	return { messages, checker, exports };
}

export async function buildMetaModel() {
	const protocol = await loadProtocol();
	const pkg = JSON.parse(readFileSync(path('package.json'), 'utf8'));
	const spec = readFileSync(path('protocol/PROTOCOL.md'), 'utf8');
	const options = { strict: true, target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true };
	const program = ts.createProgram([path('protocol/index.ts')], options);
	const definitions = {};
	const publisher = new SchemaPublisher(protocol, definitions);
	const converter = new TypeConverter(program.getTypeChecker(), publisher, definitions);
	const { messages, checker, exports } = declaredMessages(program, converter);
	converter.knowDeclaredTypes(exports);
	const runtime = new Map(Object.values(protocol).filter((v) => v && typeof v === 'object' && typeof v.method === 'string').map((v) => [v.method, v]));

	const reserved = new Map(protocol.RESERVED_METHODS.map((r) => [r.method, r]));
	const order = documentedOrder(spec);
	const undocumented = [...messages.keys(), ...reserved.keys()].filter((method) => !order.includes(method));
	if (undocumented.length > 0) throw new Error(`PROTOCOL.md has no section for ${undocumented.join(', ')}`);
	const requests = [];
	const notifications = [];
	for (const method of order) {
		const declared = messages.get(method);
		const traits = declared ? runtime.get(method)?.traits : reserved.get(method)?.traits;
		if (!traits) throw new Error(`${method} is in PROTOCOL.md, but protocol/ neither declares it (with its traits) nor reserves it`);
		const kind = declared?.kind ?? reserved.get(method).kind;
		const entry = { method, direction: traits.direction, status: declared ? 'implemented' : 'reserved' };
		if (declared?.description) entry.documentation = declared.description;
		if (declared) entry.typeName = declared.namespace;
		const paramsSchema = runtime.get(method)?.paramsSchema;
		if (paramsSchema) entry.params = publisher.publish(paramsSchema);
		else if (declared?.paramsType) entry.params = converter.schema(declared.paramsType);
		if (kind === 'request') {
			if (declared) {
				entry.result = converter.schema(declared.resultType);
				entry.errorData = { $ref: '#/definitions/ErrorData' };
			}
			entry.reportsProgress = traits.reportsProgress;
			entry.cancellable = traits.cancellable;
			requests.push(entry);
		} else {
			notifications.push(entry);
		}
	}
	const errorData = exports.find((s) => s.getName() === 'ErrorData');
	converter.schema(checker.getDeclaredTypeOfSymbol(errorData));
	const reasons = documentedReasons(spec, protocol.ERROR_REASONS);
	const errors = Object.entries(protocol.ErrorCodes).map(([name, code]) => ({ name, code, reasons: reasons.get(name) ?? [] }));
	return {
		metaData: {
			protocol: 'kubebridge', version: pkg.version, schemaDialect: 'http://json-schema.org/draft-07/schema#',
			generatedBy: 'scripts/generate-meta-model.mjs', framing: 'Content-Length headers (LSP base protocol), UTF-8 JSON-RPC 2.0',
			params: 'Named (an object). null counts as absent; [] is read as {} where only an object fits.',
		},
		requests, notifications, errors, reasons: [...protocol.ERROR_REASONS], definitions: sortedKeys(definitions),
	};
}

/** `kubebridge.yaml`'s JSON Schema, for editors and YAML language servers, from the same declaration the server validates with. */
export async function buildWorkspaceSchema() {
	const protocol = await loadProtocol();
	const definitions = {};
	const schema = new SchemaPublisher(protocol, definitions).publish(protocol.WorkspaceConfig);
	return {
		$schema: 'http://json-schema.org/draft-07/schema#',
		$id: 'https://kubebridge.local/schemas/kubebridge.schema.json',
		...schema,
		definitions: sortedKeys(definitions),
	};
}

export const renderMetaModel = (model) => `${JSON.stringify(model, null, '\t')}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const outputs = [[META_MODEL_FILE, renderMetaModel(await buildMetaModel())], [WORKSPACE_SCHEMA_FILE, renderMetaModel(await buildWorkspaceSchema())]];
	for (const [file, text] of outputs) {
		if (!process.argv.includes('--check')) {
			writeFileSync(file, text);
			console.log(`wrote ${file}`);
		} else if (readFileSync(file, 'utf8') !== text) {
			console.error(`${file} is out of date: run npm run meta-model`);
			process.exitCode = 1;
		}
	}
}
