package chat

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	const (
		s = time.Second
		m = time.Minute
		h = time.Hour
		d = 24 * time.Hour
	)
	for _, c := range []struct {
		d     time.Duration
		units int
		want  string
	}{
		{0, 1, "0s"},
		{400 * time.Millisecond, 4, "0s"},
		{1500 * time.Millisecond, 4, "2s"},
		{45 * s, 1, "45s"},
		{45 * s, 2, "45s"},
		{59*s + 600*time.Millisecond, 1, "1m"},
		{60 * s, 2, "1m"},
		{200 * s, 2, "3m20s"},
		{200 * s, 1, "3m"},
		{14*m + 40*s, 1, "15m"},
		{14*m + 30*s, 1, "15m"},
		{14*m + 29*s, 1, "14m"},
		{14*m + 30*s, 2, "14m30s"},
		{59*m + 40*s, 1, "1h"},
		{59*m + 40*s, 2, "59m40s"},
		{h + 30*m, 2, "1h30m"},
		{h + 30*m, 1, "2h"},
		{h + 29*m, 1, "1h"},
		{3*h + 5*m, 2, "3h5m"},
		{3 * h, 2, "3h"},
		{h + 5*s, 2, "1h"},
		{h + 5*s, 3, "1h5s"},
		{h + 2*m + 3*s, 4, "1h2m3s"},
		{36 * h, 1, "36h"},
		{47*h + 59*m, 2, "47h59m"},
		{47*h + 59*m + 40*s, 2, "2d"},
		{48 * h, 1, "2d"},
		{2*d + 4*h, 2, "2d4h"},
		{2*d + 4*h + 30*m, 2, "2d5h"},
		{2*d + 4*h + 30*m, 1, "2d"},
		{2*d + 5*m, 3, "2d5m"},
		{9*d + 23*h + 59*m + 59*s, 3, "10d"},
		{-90 * s, 2, "-1m30s"},
		{-90 * s, 1, "-2m"},
		{-200 * time.Millisecond, 1, "0s"},
		{90 * s, 0, "2m"},    // below 1 counts as 1
		{90 * s, 9, "1m30s"}, // above 4 counts as 4
	} {
		if got := FormatDuration(c.d, c.units); got != c.want {
			t.Errorf("FormatDuration(%v, %d) = %q; want %q", c.d, c.units, got, c.want)
		}
	}
}

func TestFormatDurationZH(t *testing.T) {
	for _, c := range []struct {
		d     time.Duration
		units int
		want  string
	}{
		{0, 1, "0秒"},
		{40 * time.Second, 1, "40秒"},
		{200 * time.Second, 2, "3分钟20秒"},
		{2 * time.Minute, 1, "2分钟"},
		{90 * time.Minute, 2, "1小时30分钟"},
		{52 * time.Hour, 2, "2天4小时"},
	} {
		if got := FormatDurationZH(c.d, c.units); got != c.want {
			t.Errorf("FormatDurationZH(%v, %d) = %q; want %q", c.d, c.units, got, c.want)
		}
	}
}

// parseWithDays reads what FormatDuration writes: time.ParseDuration, after
// a leading "Nd" is taken as N×24h.
func parseWithDays(s string) (time.Duration, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days time.Duration
	if n, rest, ok := strings.Cut(s, "d"); ok {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, err
		}
		days, s = time.Duration(v)*24*time.Hour, rest
	}
	var d time.Duration
	if s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, err
		}
	}
	if neg {
		return -(days + d), nil
	}
	return days + d, nil
}

func FuzzFormatDuration(f *testing.F) {
	for _, c := range []struct {
		d     int64
		units int
	}{
		{0, 1}, {int64(45 * time.Second), 2}, {int64(90 * time.Minute), 1}, {int64(52 * time.Hour), 2},
		{int64(47*time.Hour + 59*time.Minute + 59*time.Second), 4}, {-1, 3}, {math.MinInt64, 4}, {math.MaxInt64, 1},
	} {
		f.Add(c.d, c.units)
	}
	f.Fuzz(func(t *testing.T, n int64, units int) {
		d := time.Duration(n)
		got := FormatDuration(d, units)
		FormatDurationZH(d, units) // must not panic either
		if got == "" {
			t.Fatalf("FormatDuration(%v, %d) is empty", d, units)
		}
		// Far out the rounded value no longer fits a time.Duration; the
		// text is still written, but there is nothing to read it back as.
		if d > 1<<62 || d < -1<<62 {
			return
		}
		back, err := parseWithDays(got)
		if err != nil {
			t.Fatalf("FormatDuration(%v, %d) = %q, which does not parse: %v", d, units, got, err)
		}
		// Every unit shown, at most units of them, and off by at most
		// half of the smallest one (half a day at the coarsest).
		shown := 0
		for _, r := range got {
			if r >= 'a' && r <= 'z' {
				shown++
			}
		}
		if shown > max(units, 1) {
			t.Fatalf("FormatDuration(%v, %d) = %q: %d units", d, units, got, shown)
		}
		if off := back - d; off > 12*time.Hour || off < -12*time.Hour {
			t.Fatalf("FormatDuration(%v, %d) = %q reads back as %v", d, units, got, back)
		}
		if units >= 4 {
			if off := back - d; off > time.Second/2 || off < -time.Second/2 {
				t.Fatalf("FormatDuration(%v, %d) = %q reads back as %v; want within half a second", d, units, got, back)
			}
			if d%time.Second == 0 && back != d {
				t.Fatalf("FormatDuration(%v, %d) = %q reads back as %v; want it exactly", d, units, got, back)
			}
		}
	})
}
