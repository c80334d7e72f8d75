package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer/answertest"
)

// channelsChildEnv names the config a child process of BenchmarkChannels
// builds; unset, TestChannelsChild does nothing.
const channelsChildEnv = "CHATDESK_BENCH_CHANNELS_CONFIG"

// BenchmarkChannels builds many channels the way the bot does at start and
// reports the process's peak resident memory and the build time. Each run
// is a fresh process (this test binary, running TestChannelsChild): the
// kernel's high-water mark (VmHWM) is per process, and a fresh one holds
// only what a bot start holds, not what earlier benchmarks left behind.
// Run: go test -run '^$' -bench BenchmarkChannels -benchtime 1x ./cmd/bot
func BenchmarkChannels(b *testing.B) {
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name     string
		channels int
		faq      func(dir string, i int) string
	}{
		{"own-10-entry-faq-x1000", 1000, func(dir string, i int) string {
			return writeBenchFAQ(b, dir, fmt.Sprintf("c%d.yaml", i), 10, uint64(i))
		}},
		{"demo-faq-x1000", 1000, func(string, int) string { return demo }},
		{"one-10000-entry-faq", 1, func(dir string, _ int) string {
			return writeBenchFAQ(b, dir, "big.yaml", 10_000, 1)
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "bot: {data_dir: %q}\nchannels:\n", filepath.Join(dir, "data"))
			for i := 0; i < c.channels; i++ {
				fmt.Fprintf(&cfg, "  - {name: chan%d, faq: [%q]}\n", i, c.faq(dir, i))
			}
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			var peak, base, took float64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(os.Args[0], "-test.run", "^TestChannelsChild$")
				cmd.Env = append(os.Environ(), channelsChildEnv+"="+path)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				var p, bs, t float64
				if _, err := fmt.Sscanf(lastLine(out, "channels-child:"), "channels-child: peak_kb=%g base_kb=%g build_ns=%g", &p, &bs, &t); err != nil {
					b.Fatalf("child output: %v\n%s", err, out)
				}
				peak, base, took = max(peak, p), bs, max(took, t)
			}
			b.ReportMetric(peak/1024, "peak-MB")
			b.ReportMetric(base/1024, "base-MB")
			b.ReportMetric(took/1e9, "build-s")
		})
	}
}

// lastLine is the last line of out that starts with prefix.
func lastLine(out []byte, prefix string) string {
	var found string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, prefix) {
			found = l
		}
	}
	return found
}

// writeBenchFAQ writes a generated n-entry FAQ into dir and returns its path.
func writeBenchFAQ(tb testing.TB, dir, name string, n int, seed uint64) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, answertest.FAQ(n, seed), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
