// Reads what the build must check in a Windows executable it cannot run here: the PE
// headers (machine, PE32+, console subsystem) and the resources, where postject puts the
// single-executable blob (an RCDATA resource named NODE_SEA_BLOB). Follows the PE format
// as documented for Windows; only what these checks need.
const RT_RCDATA = 10;

/** The sentinel postject flips once a blob is in; Node checks it at start. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The headers and the section table of a PE file. */
export function readPe(bytes) {
	if (bytes.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE file: no MZ header');
	const pe = bytes.readUInt32LE(0x3c);
	if (bytes.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE file: no PE signature');
	const coff = pe + 4;
	const sectionCount = bytes.readUInt16LE(coff + 2);
	const optionalSize = bytes.readUInt16LE(coff + 16);
	const optional = coff + 20;
	const magic = bytes.readUInt16LE(optional);
	// PE32+ keeps its 16 data directories from offset 112 of the optional header.
	const directories = optional + (magic === 0x20b ? 112 : 96);
	const sections = [];
	for (let i = 0, at = optional + optionalSize; i < sectionCount; i++, at += 40) {
		sections.push({
			name: bytes.toString('latin1', at, at + 8).replace(/\0+$/, ''),
			virtualSize: bytes.readUInt32LE(at + 8), virtualAddress: bytes.readUInt32LE(at + 12),
			rawSize: bytes.readUInt32LE(at + 16), rawOffset: bytes.readUInt32LE(at + 20),
		});
	}
	return {
		machine: bytes.readUInt16LE(coff),
		characteristics: bytes.readUInt16LE(coff + 18),
		magic,
		subsystem: bytes.readUInt16LE(optional + 68),
		resourceDirectory: { rva: bytes.readUInt32LE(directories + 16), size: bytes.readUInt32LE(directories + 20) },
		// The certificate table's entry holds a file offset, not an RVA.
		certificates: { entryAt: directories + 32, offset: bytes.readUInt32LE(directories + 32), size: bytes.readUInt32LE(directories + 36) },
		sections,
	};
}

function fileOffset(headers, rva) {
	const section = headers.sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
	if (!section) throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
	return section.rawOffset + (rva - section.virtualAddress);
}

/** The entries of one resource directory: id or name, and whether each is a subdirectory. */
function directoryEntries(bytes, base, offset) {
	const named = bytes.readUInt16LE(offset + 12);
	const ids = bytes.readUInt16LE(offset + 14);
	const entries = [];
	for (let i = 0; i < named + ids; i++) {
		const at = offset + 16 + i * 8;
		const nameField = bytes.readUInt32LE(at);
		const target = bytes.readUInt32LE(at + 4);
		let key = nameField;
		if (nameField & 0x80000000) {
			const nameAt = base + (nameField & 0x7fffffff);
			key = bytes.toString('utf16le', nameAt + 2, nameAt + 2 + bytes.readUInt16LE(nameAt) * 2);
		}
		entries.push({ key, subdirectory: (target & 0x80000000) !== 0, offset: base + (target & 0x7fffffff) });
	}
	return entries;
}

/** The bytes of an RCDATA resource by name (its first language), or `null` when it has none. */
export function rcdataResource(bytes, name) {
	const headers = readPe(bytes);
	if (headers.resourceDirectory.rva === 0) return null;
	const base = fileOffset(headers, headers.resourceDirectory.rva);
	const type = directoryEntries(bytes, base, base).find((e) => e.key === RT_RCDATA && e.subdirectory);
	const entry = type && directoryEntries(bytes, base, type.offset).find((e) => e.key === name && e.subdirectory);
	const language = entry && directoryEntries(bytes, base, entry.offset)[0];
	if (!language) return null;
	const dataRva = bytes.readUInt32LE(language.offset);
	const size = bytes.readUInt32LE(language.offset + 4);
	const start = fileOffset(headers, dataRva);
	return bytes.subarray(start, start + size);
}

/** The single-executable fuse: `:1` once a blob is injected, `:0` in a plain node. */
export function seaFuse(bytes) {
	const fuse = `${SEA_FUSE}:`;
	const at = bytes.indexOf(fuse);
	return at < 0 ? null : bytes.toString('latin1', at + fuse.length, at + fuse.length + 1);
}

/**
 * The file without its Authenticode signature: injecting a resource breaks the signature of
 * the Node binary, and a broken signature is worse than none. The certificate table sits at
 * the end of the file; its directory entry goes to zero.
 */
export function withoutSignature(bytes) {
	const { certificates } = readPe(bytes);
	if (certificates.size === 0) return bytes;
	if (certificates.offset + certificates.size !== bytes.length) throw new Error('the certificate table is not at the end of the file');
	const stripped = Buffer.from(bytes.subarray(0, certificates.offset));
	stripped.writeUInt32LE(0, certificates.entryAt);
	stripped.writeUInt32LE(0, certificates.entryAt + 4);
	return stripped;
}
