// Stands in for optional native probes (encoding, supports-color) that a single
// executable cannot load; the libraries fall back to their plain paths without them.
module.exports = {};
