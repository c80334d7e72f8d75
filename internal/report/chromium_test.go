package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/browsertest"
	"github.com/chatdesk/chatdesk/internal/report"
)

// TestHTMLInChromium opens the HTML report in headless Chromium (Debian's
// chromium package), fails on any console error, and takes a screenshot.
// CHATDESK_REPORT_SCREENSHOT=<file> keeps the screenshot to look at.
func TestHTMLInChromium(t *testing.T) {
	bin := browsertest.Chromium(t, "the HTML report is not checked in a browser")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := report.HTML(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(browsertest.Flags(dir), "--enable-logging=stderr", "--v=0",
		"--screenshot="+shot, "--window-size=1200,2000", "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "Uncaught") || strings.Contains(line, "ERROR:CONSOLE") || strings.Contains(line, ":CONSOLE(") {
			t.Errorf("console error: %s", line)
		}
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	if len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot is %d bytes; want a PNG of the page", len(png))
	}
	if keep := os.Getenv("CHATDESK_REPORT_SCREENSHOT"); keep != "" {
		if err := os.WriteFile(keep, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
