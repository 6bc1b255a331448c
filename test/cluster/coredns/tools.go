//go:build tools

// Package tools is never compiled: its import makes `go mod tidy` pin every module
// CoreDNS is built from.
package tools

import _ "github.com/coredns/coredns"
