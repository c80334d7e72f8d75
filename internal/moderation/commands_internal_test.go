package moderation

import (
	"testing"
	"time"
)

func TestFormatSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", time.Minute: "1m", 90 * time.Second: "1m30s", 2 * time.Hour: "2h",
		90 * time.Minute: "1h30m", 3599 * time.Second: "59m59s",
	} {
		if got := formatSpan(d); got != want {
			t.Errorf("formatSpan(%s) = %q; want %q", d, got, want)
		}
	}
}
