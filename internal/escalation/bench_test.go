package escalation_test

import (
	"context"
	"fmt"
	"os"
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

// BenchmarkAppendEvents writes the event log as the live bot does: batches
// of 256 answers and misses for one channel, each batch one commit (fsynced),
// into a log that already holds a stream's worth. It reports the cost of an
// event and, in the same run, of a bare fsync of the store's file, the
// floor of a commit.
// Run: go test -run '^$' -bench BenchmarkAppendEvents -benchtime 200x ./internal/escalation
func BenchmarkAppendEvents(b *testing.B) {
	ctx := context.Background()
	path := b.TempDir() + "/tickets.db"
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	batch := func(n int) []escalation.Event {
		out := make([]escalation.Event, 256)
		for i := range out {
			at := start.Add(time.Duration(n*256+i) * 300 * time.Millisecond)
			out[i] = escalation.Event{Channel: "mira", At: at, Kind: escalation.EventAnswered, FAQ: "schedule", Took: 80 * time.Microsecond}
			if i%3 == 0 {
				out[i] = escalation.Event{Channel: "mira", At: at, Kind: escalation.EventMissed, Text: "what mouse do you use for this game"}
			}
		}
		return out
	}
	// A ticket opens the file, as on a live bot.
	if _, _, err := s.Create(ctx, newTicket("mira", "t1", "ann", "hi?", start)); err != nil {
		b.Fatal(err)
	}
	for n := range 40 {
		if err := s.AppendEvents(ctx, batch(n)...); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ResetTimer()
	var appendTime, syncTime time.Duration
	for i := range b.N {
		events := batch(40 + i)
		t0 := time.Now()
		if err := s.AppendEvents(ctx, events...); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		appendTime += t1.Sub(t0)
		syncTime += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(appendTime.Nanoseconds())/float64(256*b.N), "ns/event")
	b.ReportMetric(float64(appendTime)/float64(syncTime), "x-fsync")
}
