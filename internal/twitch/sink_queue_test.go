package twitch

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// BenchmarkModQueueFlood: a spam wave of 1,000 deletes and 50 bans pushed
// into a full-size queue, which sheds the 26 newest deletes, then worked
// off. What Deliver and a channel's worker pay per action, Twitch aside.
func BenchmarkModQueueFlood(b *testing.B) {
	wave := make([]enforcement, 0, 1050)
	var seq uint64
	for i := range 1000 {
		seq++
		wave = append(wave, enforcement{e: chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: fmt.Sprint(i)}, rank: rank{sev: sevDelete, seq: seq}})
		if i%20 == 19 {
			seq++
			wave = append(wave, enforcement{e: chat.Enforcement{Kind: chat.PenaltyBan}, rank: rank{sev: sevPunish, seq: seq}})
		}
	}
	log := slog.New(slog.DiscardHandler)
	b.ReportAllocs()
	for b.Loop() {
		q := newModQueue("mira", DefaultModerationQueue, log, func() {})
		for _, j := range wave {
			q.push(j)
		}
		for {
			if _, ok := q.pop(); !ok {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(wave)), "ns/action")
}
