package moderation

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// benchMix is a realistic mix of chat: mostly short honest lines, emotes,
// questions, some CJK, a few links and the odd spam line.
var benchMix = []string{
	"LUL", "KEKW KEKW KEKW", "what game is this?", "gg", "LETS GOOOOOOO", "OMEGALUL OMEGALUL",
	"hi chat", "when do you usually stream?", "that was insane", "Pog", "lol", "W",
	"can you explain how the crafting system works? I've been trying for an hour",
	"这个游戏叫什么名字？", "今日は何時まで配信しますか？", "😂😂😂", "no way he just did that",
	"clip it: clips.twitch.tv/FunnyClip", "is the sub worth it?", "catJAM catJAM catJAM catJAM",
	"what mouse do you use", "i just got home from work, what did i miss?", "monkaS", "F",
	"best viewers on streamboo .com", "check out my channel please", "go to example.com/free",
}

func benchEngine(b *testing.B) (*Engine, []chat.Message, []bool) {
	return benchEngineWith(b, DefaultSettings())
}

func benchEngineWith(b *testing.B, s Settings) (*Engine, []chat.Message, []bool) {
	b.Helper()
	start := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	e, err := New("bench", s, Options{Now: func() time.Time { return start }})
	if err != nil {
		b.Fatal(err)
	}
	// 200 chatters, each saying something every few seconds.
	msgs := make([]chat.Message, 0, 4096)
	for i := range cap(msgs) {
		msgs = append(msgs, chat.Message{
			ID: fmt.Sprint(i), User: fmt.Sprintf("viewer%d", i%200), Text: benchMix[i%len(benchMix)],
			Time: start.Add(time.Duration(i) * 50 * time.Millisecond),
		})
	}
	passes := make([]bool, len(msgs))
	for i, m := range msgs {
		passes[i] = !e.Check(m).Broke()
	}
	return e, msgs, passes
}

// BenchmarkCheck runs the default rules over the mix. The passing and
// failing sub-benchmarks report the two kinds of message apart: a message
// that passes must not allocate.
func BenchmarkCheck(b *testing.B) {
	all := func(bool) bool { return true }
	passing := func(p bool) bool { return p }
	b.Run("mix", func(b *testing.B) { benchSome(b, DefaultSettings(), all) })
	b.Run("passing", func(b *testing.B) { benchSome(b, DefaultSettings(), passing) })
	// The same without the spam bots' rules: what they cost a passing
	// message is the difference.
	b.Run("passing-no-spam-bots", func(b *testing.B) { benchSome(b, switched(false, RuleSpamBots, RuleSpamWave), passing) })
	b.Run("failing", func(b *testing.B) { benchSome(b, DefaultSettings(), func(p bool) bool { return !p }) })
}

// benchSome checks, with settings s, the messages of the mix that keep
// takes, given whether they pass.
func benchSome(b *testing.B, s Settings, keep func(passes bool) bool) {
	e, msgs, passes := benchEngineWith(b, s)
	var ok []chat.Message
	for i, m := range msgs {
		if keep(passes[i]) {
			ok = append(ok, m)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := ok[i%len(ok)]
		m.Time = m.Time.Add(time.Duration(i/len(ok)) * time.Hour)
		e.Check(m)
	}
}

// TestCheckMedianAndAllocs holds the engine to its budget: a passing
// message allocates nothing, and the median message takes well under the
// 5µs target (checked loosely here, since test machines vary and the race
// detector slows everything).
func TestCheckMedianAndAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	b := &testing.B{}
	e, msgs, passes := benchEngine(b)
	var ok []chat.Message
	for i, m := range msgs {
		if passes[i] {
			ok = append(ok, m)
		}
	}
	k := 0
	allocs := testing.AllocsPerRun(2000, func() {
		m := ok[k%len(ok)]
		m.Time = m.Time.Add(time.Duration(k/len(ok)+1) * time.Hour)
		k++
		e.Check(m)
	})
	if allocs != 0 {
		t.Errorf("a passing message allocates %.1f times; want 0", allocs)
	}
	var times []time.Duration
	for _, m := range msgs {
		m.Time = m.Time.Add(48 * time.Hour)
		start := time.Now()
		e.Check(m)
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	median := times[len(times)/2]
	t.Logf("median Check: %s over %d messages", median, len(times))
	if !raceEnabled && median > 50*time.Microsecond {
		t.Errorf("median Check %s; want far below 50µs (target 5µs)", median)
	}
}

// BenchmarkRefusedRegexp measures, with the standard regexp package alone,
// what one pass of the pattern the term budget now refuses costs over a
// 500-character message: the cost a single !block could put on every line
// of chat before the budget.
func BenchmarkRefusedRegexp(b *testing.B) {
	re := regexp.MustCompile(`(?i)(?:[a-j ]*[a-j ]*[a-j ]*){1000}q`)
	text := strings.Repeat("abc def gh ", 46)[:500]
	for b.Loop() {
		if re.MatchString(text) {
			b.Fatal("the probe text matched")
		}
	}
}
