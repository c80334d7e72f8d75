// Package browsertest finds the headless Chromium that the browser tests
// drive (Debian's chromium package) and the flags it runs with, so every
// such test finds it, skips without it and fails without it under CI in the
// same way.
package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Chromium returns the browser to run: CHATDESK_CHROMIUM, else the first
// Chromium on the path. Without one the test is skipped, except under
// CI=true, where it fails: .ci/run installs the package there.
func Chromium(t testing.TB, what string) string {
	t.Helper()
	bin := os.Getenv("CHATDESK_CHROMIUM")
	if bin == "" {
		for _, c := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
			if p, err := exec.LookPath(c); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing under CI: .ci/run installs Debian's chromium package")
		}
		t.Skipf("chromium is not installed (apt-get install chromium, or set CHATDESK_CHROMIUM); %s", what)
	}
	return bin
}

// Flags are the switches a test's Chromium runs with: headless, no sandbox
// (tests run as root in containers), nothing fetched from the network, and
// a profile of its own under dir.
func Flags(dir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
	}
}
