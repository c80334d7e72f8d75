package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/answer/answertest"
)

// writeBenchChat writes n lines of chat in the plain format: mostly
// ordinary chatter, one line in ten a question, some of them in Chinese.
func writeBenchChat(tb testing.TB, path string, n int) {
	tb.Helper()
	chatter := []string{
		"LUL", "KEKW KEKW KEKW", "gg", "that was insane", "hi chat", "lets gooo", "PogChamp",
		"i love this song", "no way", "hahaha", "当然了", "哈哈哈哈", "good luck on the boss fight",
		"@bob what time is it there", "first time here, love the vibes", "this game looks so cozy",
		"OMEGALUL OMEGALUL", "the art today is amazing", "brb getting food", "she's so good at this",
	}
	questions := []string{
		"when do you stream?", "what keyboard do you use", "is there a discord", "what game is this",
		"what song is this?", "how do i get the emotes", "主播什么时候开播", "what's the wifi password lol",
		"can you play minecraft next?", "pc specs?", "how long have you been streaming", "有没有discord",
	}
	r := rand.New(rand.NewPCG(7, 11))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n; i++ {
		text := chatter[r.IntN(len(chatter))]
		if r.IntN(10) == 0 {
			text = questions[r.IntN(len(questions))]
		}
		fmt.Fprintf(w, "viewer%d: %s\n", r.IntN(5000), text)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReplay runs `bot replay` over 100 000 generated chat messages
// with the shipped config, the whole pipeline on the caller's core, and
// reports messages per second and the cost of a message.
//
//   - plain: "user: text" lines, the demo FAQ.
//   - irc: the same mix as raw Twitch IRC lines (tags and all, as a
//     recorded stream's log has them), the demo FAQ; in the same run
//     go-twitch-irc's parser alone goes over the same lines, the floor, and
//     the ratio to it is reported.
//   - irc-2000-entries: the same with a generated 2,000-entry FAQ.
//
// Run: go test -run '^$' -bench BenchmarkReplay -benchtime 3x ./cmd/bot
func BenchmarkReplay(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	plain := filepath.Join(dir, "chat.txt")
	writeBenchChat(b, plain, n)
	lines := benchLines(n)
	ircPath := filepath.Join(dir, "chat.irc")
	if err := os.WriteFile(ircPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, answertest.FAQ(2_000, 1), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		args  []string
		floor []string // lines to parse alone in the same run
	}{
		{"plain", []string{plain}, nil},
		{"irc", []string{"--format", "irc", ircPath}, lines},
		{"irc-2000-entries", []string{"--format", "irc", "--faq", big, ircPath}, lines},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var elapsed, parse time.Duration
			for range b.N {
				var stderr bytes.Buffer
				a := &app{stdin: bytes.NewReader(nil), stdout: io.Discard, stderr: &stderr}
				start := time.Now()
				args := append([]string{"replay", "--config", "../../config.yaml"}, bc.args...)
				if err := a.execute(context.Background(), args); err != nil {
					b.Fatalf("replay: %v\n%s", err, stderr.String())
				}
				elapsed += time.Since(start)
				start = time.Now()
				for _, l := range bc.floor {
					if _, ok := irc.ParseMessage(l).(*irc.PrivateMessage); !ok {
						b.Fatalf("not a PRIVMSG: %q", l)
					}
				}
				parse += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n*b.N), "ns/msg")
			if len(bc.floor) > 0 {
				b.ReportMetric(float64(parse.Nanoseconds())/float64(n*b.N), "parser-ns/msg")
				b.ReportMetric(float64(elapsed)/float64(parse), "x-parser")
			}
		})
	}
}
