package chat

import (
	"fmt"
	"testing"
	"time"
)

// benchClock is a clock the benchmark moves itself; nothing waits on it.
type benchClock struct{ now time.Time }

func (c *benchClock) Now() time.Time                       { return c.now }
func (c *benchClock) After(time.Duration) <-chan time.Time { return nil }

type nopTransport struct{}

func (nopTransport) Post(string, string, string) error { return nil }

// BenchmarkSenderFlood is the send queue's cost under a flood. Each
// operation offers one reply — nine in ten a viewer's acknowledgement,
// which folds, the rest FAQ answers, and every 500th a moderator's reply —
// then the hand-moved clock steps on and everything the limits allow by
// then is posted, as Run would.
//
//   - one-channel: a flood of 25 replies a second kept up in one channel
//     the bot moderates, a moderator's reply every 20 s; one line a
//     second carries them, so the queue stays short.
//   - four-channels-saturated: 1,000 replies a second over four channels,
//     two of them unmoderated (20 messages per 30 s for the connection);
//     the queue fills, shedding FAQ answers, and acknowledgements that
//     fold ride past its bound of 1,024 to twice it, where they are
//     refused: the worst case for every scan.
func BenchmarkSenderFlood(b *testing.B) {
	for _, tt := range []struct {
		name     string
		rate     int
		channels []string
		mod      []string
	}{
		{"one-channel", 25, []string{"a"}, []string{"a"}},
		{"four-channels-saturated", 1000, []string{"a", "b", "c", "d"}, []string{"a", "b"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			clk := &benchClock{now: time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)}
			s := NewSender(nopTransport{}, SenderConfig{Clock: clk})
			for _, ch := range tt.mod {
				s.SetModerator(ch, true)
			}
			step := time.Second / time.Duration(tt.rate)
			lead := Fold{Kind: "filed", Noun: "ticket", Lead: "got it — ", Tail: ", a moderator will answer"}
			depth, posts := 0, 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ch := tt.channels[i%len(tt.channels)]
				var r Reply
				switch {
				case i%500 == 0:
					r = Reply{Text: fmt.Sprintf("@viewer%d has no strikes.", i), ParentID: fmt.Sprint("k", i), Priority: PriorityStaff}
				case i%10 == 0:
					r = Reply{Text: "Mon/Wed/Fri 19:00 CET — full schedule: example.com/schedule", ParentID: fmt.Sprint("q", i), Priority: PriorityAnswer}
				default:
					f := lead
					f.To, f.Number = fmt.Sprintf("viewer%04d", i%5000), int64(i)
					r = Reply{Text: fmt.Sprintf("got it — a moderator will answer (ticket #%d)", i), ParentID: fmt.Sprint("m", i), Priority: PriorityAck, Fold: f}
				}
				_ = s.Send(ch, r)
				clk.now = clk.now.Add(step)
				s.mu.Lock()
				s.dropStale(clk.now)
				for {
					o, _, _ := s.next(clk.now)
					if o == nil {
						break
					}
					s.post(o, clk.now)
					posts++
				}
				depth = max(depth, len(s.queue))
				s.mu.Unlock()
			}
			b.StopTimer()
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replies/s")
			b.ReportMetric(float64(depth), "max-queued")
			b.ReportMetric(float64(st.Folded)/float64(max(posts, 1)), "folded/post")
		})
	}
}
