package chat

import (
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units a duration is written in, largest first.
var durationUnits = [...]time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second}

// The unit names in each language, in the order of durationUnits.
var (
	unitsEN = [len(durationUnits)]string{"d", "h", "m", "s"}
	unitsZH = [len(durationUnits)]string{"天", "小时", "分钟", "秒"}
)

// FormatDuration writes d the way chat and a person write it: "45s",
// "3m20s", "1h30m", "2d4h". It shows at most units units, the most
// significant first, rounding to the nearest of the last one shown (so 14m40s
// is "15m" with one unit and "14m40s" with two); units below 1 count as 1,
// and 4 or more show every unit down to the second. Zero units are left out
// ("1h", not "1h0m"; "1h5s"), and a zero duration is "0s".
//
// Hours count up to two days ("36h", "47h"): a day is only the leading unit
// from 48h on, where "2d" is close enough with one unit. Below a second
// there is nothing to show. A negative duration is written with a leading
// "-"; callers that mean "how long ago" clamp at zero themselves.
//
// With units ≥ 4 and a whole number of seconds the result reads back
// exactly with time.ParseDuration, once a leading "Nd" is taken as N×24h.
func FormatDuration(d time.Duration, units int) string {
	return formatDuration(d, units, &unitsEN)
}

// FormatDurationZH is FormatDuration in Chinese: "45秒", "3分钟20秒",
// "1小时30分钟", "2天4小时".
func FormatDurationZH(d time.Duration, units int) string {
	return formatDuration(d, units, &unitsZH)
}

func formatDuration(d time.Duration, units int, names *[len(durationUnits)]string) string {
	units = min(max(units, 1), len(durationUnits))
	// The magnitude as unsigned, so that the most negative duration has one
	// too and rounding it up cannot overflow.
	neg := d < 0
	u := uint64(d)
	if neg {
		u = -u
	}
	lead := leadingUnit(u)
	last := min(lead+units-1, len(durationUnits)-1)
	u = roundTo(u, uint64(durationUnits[last]))
	if l := leadingUnit(u); l != lead {
		// Rounding carried into a larger unit (59m40s → 1h): it is now a
		// whole number of that unit, and rounding again keeps it.
		lead, last = l, min(l+units-1, len(durationUnits)-1)
		u = roundTo(u, uint64(durationUnits[last]))
	}
	if u == 0 {
		return "0" + names[len(names)-1]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := lead; i <= last; i++ {
		unit := uint64(durationUnits[i])
		if n := u / unit; n > 0 {
			b.WriteString(strconv.FormatUint(n, 10))
			b.WriteString(names[i])
		}
		u %= unit
	}
	return b.String()
}

// leadingUnit is the index in durationUnits of the largest unit u is
// written with.
func leadingUnit(u uint64) int {
	switch {
	case u >= uint64(48*time.Hour):
		return 0
	case u >= uint64(time.Hour):
		return 1
	case u >= uint64(time.Minute):
		return 2
	}
	return 3
}

// roundTo rounds u to the nearest multiple of unit, halves up.
func roundTo(u, unit uint64) uint64 {
	q, r := u/unit, u%unit
	if r >= unit-r {
		q++
	}
	return q * unit
}
