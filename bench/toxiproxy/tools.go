//go:build tools

// Package tools is never compiled: its import makes `go mod tidy` record every module
// Toxiproxy's server is built from, so go.sum pins them all. The tunnel benchmark builds
// it with `go build -o ... github.com/Shopify/toxiproxy/v2/cmd/server` from this folder.
package tools

import (
	_ "github.com/Shopify/toxiproxy/v2/cmd/server"
)
