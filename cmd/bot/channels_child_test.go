package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestChannelsChild is BenchmarkChannels's child process: it builds the
// channels of the config it is given and prints what it measured.
func TestChannelsChild(t *testing.T) {
	path := os.Getenv(channelsChildEnv)
	if path == "" {
		t.Skip("runs only as BenchmarkChannels's child process")
	}
	base := peakRSS(t)
	cfg, err := loadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	chs, err := buildChannels(cfg, channelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	peak := peakRSS(t)
	if err := chs.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("channels-child: peak_kb=%d base_kb=%d build_ns=%d\n", peak, base, took.Nanoseconds())
}

// peakRSS is the process's resident-memory high-water mark in KiB.
func peakRSS(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status to read peak memory from: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(v, "%d kB", &kb); err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
