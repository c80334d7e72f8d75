package replay_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

// endless serves the same chat over and over, so one benchmark iteration
// is one line and ns/op and allocs/op read per line.
type endless struct {
	data []byte
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.data[e.off:])
	e.off = (e.off + n) % len(e.data)
	return n, nil
}

func sample(format replay.Format) []byte {
	var b bytes.Buffer
	for i := range 1000 {
		switch format {
		case replay.FormatPlain:
			fmt.Fprintf(&b, "viewer_%d: when does the stream start today? Kappa %d\n", i, i)
		case replay.FormatJSONL:
			fmt.Fprintf(&b, `{"user":"viewer_%d","text":"when does the stream start today? Kappa %d","badges":"subscriber/12","expect":"schedule","src":"chat"}`+"\n", i, i)
		case replay.FormatIRC:
			fmt.Fprintf(&b, "@badge-info=subscriber/12;badges=subscriber/12,premium/1;color=#1E90FF;display-name=Viewer_%d;emotes=25:34-38;first-msg=0;flags=;id=0e4b4c4c-%d;mod=0;room-id=100;subscriber=1;tmi-sent-ts=1714590000123;turbo=0;user-id=%d;user-type= :viewer_%d!viewer_%d@viewer_%d.tmi.twitch.tv PRIVMSG #streamer :when does the stream start today? Kappa %d\n", i, i, 1000+i, i, i, i, i)
		}
	}
	return b.Bytes()
}

func BenchmarkReader(b *testing.B) {
	for _, format := range []replay.Format{replay.FormatPlain, replay.FormatJSONL, replay.FormatIRC} {
		b.Run(string(format), func(b *testing.B) {
			data := sample(format)
			r := replay.NewReader(&endless{data: data}, format, "streamer")
			b.SetBytes(int64(len(data) / 1000))
			b.ReportAllocs()
			for b.Loop() {
				rec, ok := r.Next()
				if !ok || rec.Err != nil {
					b.Fatalf("Next() = %+v, %v", rec, ok)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

func BenchmarkWriter(b *testing.B) {
	w := replay.NewWriter(io.Discard)
	rec := replay.Record{Line: 42, Msg: chat.Message{Channel: "streamer", User: "viewer_1", Text: "when does the stream start today? <3"}}
	d := chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule", Confidence: 0.91234,
		Replies: []chat.Reply{{Text: "Mon/Wed/Fri 19:00 CET — full schedule: example.com/schedule"}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(replay.NewOutput(rec, d)); err != nil {
			b.Fatal(err)
		}
	}
	w.Flush()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
