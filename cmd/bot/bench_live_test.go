package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// seen counts the messages the router has decided on and wakes whoever
// waits for a number of them.
type seen struct {
	mu      sync.Mutex
	n       int
	want    int
	reached chan struct{}
}

func (s *seen) Observe(context.Context, chat.Message, chat.Decision, time.Duration) {
	s.mu.Lock()
	s.n++
	if s.reached != nil && s.n >= s.want {
		close(s.reached)
		s.reached = nil
	}
	s.mu.Unlock()
}

// waitFor returns once n messages in all have been decided on.
func (s *seen) waitFor(tb testing.TB, n int) {
	s.mu.Lock()
	if s.n >= n {
		s.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	s.want, s.reached = n, ch
	s.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		tb.Fatalf("only %d of %d messages decided on within 30s", s.count(), n)
	}
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// cpuTime is the CPU the whole process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLines renders n chat lines as Twitch sends them, the mix of
// writeBenchChat: mostly chatter, one in ten a question, from 5,000 viewers.
func benchLines(n int) []string {
	return benchLinesFrom(n, time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
}

// benchLinesFrom is benchLines with the first message sent at start; the
// same chat, later.
func benchLinesFrom(n int, start time.Time) []string {
	chatter := []string{
		"LUL", "KEKW KEKW KEKW", "gg", "that was insane", "hi chat", "lets gooo", "PogChamp",
		"i love this song", "no way", "hahaha", "当然了", "哈哈哈哈", "good luck on the boss fight",
		"@bob what time is it there", "first time here, love the vibes", "this game looks so cozy",
	}
	questions := []string{
		"when do you stream?", "what keyboard do you use", "is there a discord", "what game is this",
		"how do i get the emotes", "主播什么时候开播", "pc specs?", "how long have you been streaming",
	}
	r := rand.New(rand.NewPCG(7, 11))
	sent := start
	lines := make([]string, n)
	for i := range lines {
		text := chatter[r.IntN(len(chatter))]
		if r.IntN(10) == 0 {
			text = questions[r.IntN(len(questions))]
		}
		sent = sent.Add(50 * time.Millisecond)
		lines[i] = twitchtest.Chat{Channel: "mira", ID: fmt.Sprintf("live-%d", i), User: fmt.Sprintf("viewer%d", r.IntN(5000)),
			Text: text, SentMillis: sent.UnixMilli()}.Line()
	}
	return lines
}

// BenchmarkTwitchLive measures the CPU the whole process spends on a chat
// message through `bot run` live: the fake chat server writes it, the real
// go-twitch-irc client reads and parses it, and the router, the stages,
// the metrics and the event log (the embedded store) handle it. "one-by-one"
// sends a message once the last is decided on, as chat arrives in a
// channel that is not flooded; "bursts" sends 128 at once, which fit a
// channel's lane, so none is shed. In the same run it measures
// go-twitch-irc's parser alone over the same lines, the floor, and reports
// the ratio.
// Run: go test -run '^$' -bench BenchmarkTwitchLive -benchtime 3x ./cmd/bot
func BenchmarkTwitchLive(b *testing.B) {
	for _, bc := range []struct {
		name     string
		n, chunk int
	}{{"one-by-one", 2_000, 1}, {"bursts", 20_000, 128}} {
		b.Run(bc.name, func(b *testing.B) { benchLive(b, bc.n, bc.chunk) })
	}
}

func benchLive(b *testing.B, n, chunk int) {
	lines := benchLines(n)
	obs := &seen{}
	bot := startLive(b, liveOptions{logLevel: "error", stderr: io.Discard, observe: obs})
	c := bot.login(1)
	c.Sync()
	var live, parse time.Duration
	b.ResetTimer()
	for i := range b.N {
		// Each pass is the same chat, later: a live chat's times only
		// grow, and the event log is written in time order. Sending the
		// same times again would make it insert every event in the
		// middle of what it holds, which no stream does.
		if i > 0 {
			b.StopTimer()
			lines = benchLinesFrom(n, time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC).Add(time.Duration(i*n)*50*time.Millisecond))
			b.StartTimer()
		}
		base := obs.count()
		start := cpuTime(b)
		for i := 0; i < n; i += chunk {
			end := min(i+chunk, n)
			c.Send(strings.Join(lines[i:end], "\r\n"))
			obs.waitFor(b, base+end)
		}
		live += cpuTime(b) - start

		start = cpuTime(b)
		for _, l := range lines {
			if _, ok := irc.ParseMessage(l).(*irc.PrivateMessage); !ok {
				b.Fatalf("not a PRIVMSG: %q", l)
			}
		}
		parse += cpuTime(b) - start
	}
	b.StopTimer()
	msgs := float64(n * b.N)
	b.ReportMetric(float64(live.Nanoseconds())/1e3/msgs, "cpu-µs/msg")
	b.ReportMetric(float64(parse.Nanoseconds())/1e3/msgs, "parser-µs/msg")
	b.ReportMetric(float64(live)/float64(parse), "x-parser")
}
