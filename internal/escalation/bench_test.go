package escalation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// benchCycles measures whole ticket lives: create, claim, answer, resolve,
// from several goroutines at once as several channels' lanes would.
//
// Run: go test -run '^$' -bench BenchmarkTicketCycle -benchtime 5000x ./internal/escalation
func benchCycles(b *testing.B, s escalation.Store) {
	ctx := context.Background()
	var seq atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			id := fmt.Sprintf("b%d", i)
			tk, _, err := s.Create(ctx, newTicket("bench", id, fmt.Sprintf("viewer%d", i), "is the merch store open?", at(0)))
			if err != nil {
				b.Error(err)
				return
			}
			op := escalation.Op{Channel: "bench", Number: tk.Number, By: "kim", ID: id + "-claim", At: at(time.Second)}
			if _, err := s.Claim(ctx, op, time.Hour); err != nil {
				b.Error(err)
				return
			}
			op.ID, op.At = id+"-answer", at(2*time.Second)
			if _, err := s.Answer(ctx, op, "yes, until Sunday"); err != nil {
				b.Error(err)
				return
			}
			op.ID, op.At = id+"-resolve", at(3*time.Second)
			if _, err := s.Resolve(ctx, op); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cycles/s")
}

func BenchmarkTicketCycleEmbedded(b *testing.B) {
	s, err := escalation.OpenBolt(b.TempDir()+"/tickets.db", escalation.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchCycles(b, s)
}

func BenchmarkTicketCycleRedis(b *testing.B) {
	c := needRedis(b)
	b.Cleanup(func() { c.Close() })
	s, err := escalation.OpenRedis(context.Background(), c, escalation.RedisOptions{Prefix: testPrefix(b, c)})
	if err != nil {
		b.Fatal(err)
	}
	benchCycles(b, s)
}

// BenchmarkOpenBoltFull measures what a bot's start costs on a full store:
// OpenBolt reads the whole file through before bbolt maps it (damage.go).
// The store is one channel with 5,000 tickets and a full event log
// (MaxEvents).
//
// Run: go test -run '^$' -bench BenchmarkOpenBoltFull -benchtime 5x ./internal/escalation
func BenchmarkOpenBoltFull(b *testing.B) {
	ctx := context.Background()
	path := b.TempDir() + "/tickets.db"
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 5000 {
		if _, _, err := s.Create(ctx, newTicket("mira", fmt.Sprint("m", i), "ana", "is the merch store open?", at(time.Duration(i)*time.Second))); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 1000
	for j := range escalation.MaxEvents / batch {
		evs := make([]escalation.Event, batch)
		for i := range evs {
			evs[i] = escalation.Event{Channel: "mira", At: at(time.Duration(j*batch+i) * time.Millisecond), Kind: escalation.EventMessage, Took: time.Millisecond}
		}
		if err := s.AppendEvents(ctx, evs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		s, err := escalation.OpenBolt(path, escalation.BoltOptions{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
