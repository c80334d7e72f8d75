// Package devdata finds the labelled dev chat that sits beside the
// repository, for the tests that score the bot against it.
package devdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the dev data's directory: $CHATDESK_TEST_DEV_DATA, or
// ../shared/data/dev beside the repository, for a test two directories
// below its root. A user's fresh clone does not have it, and the test skips
// there; in CI (CI=true) it must be present.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("CHATDESK_TEST_DEV_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "dev")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("dev data not found at %s (set CHATDESK_TEST_DEV_DATA): %v", dir, err)
		}
		tb.Skipf("dev data not found at %s; it lives beside the repository (set CHATDESK_TEST_DEV_DATA to point elsewhere)", dir)
	}
	return dir
}
