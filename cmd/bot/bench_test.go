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
	"testing"
	"time"
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

// BenchmarkReplay runs `bot replay` over a generated 100 000-message chat
// file with the shipped config and demo FAQ, the whole pipeline on the
// caller's core. It reports messages per second.
// Run: go test -run '^$' -bench BenchmarkReplay -benchtime 3x ./cmd/bot
func BenchmarkReplay(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "chat.txt")
	writeBenchChat(b, path, n)
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		var stderr bytes.Buffer
		a := &app{stdin: bytes.NewReader(nil), stdout: io.Discard, stderr: &stderr}
		start := time.Now()
		if err := a.execute(context.Background(), []string{"replay", "--config", "../../config.yaml", path}); err != nil {
			b.Fatalf("replay: %v\n%s", err, stderr.String())
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n*b.N), "ns/msg")
}
