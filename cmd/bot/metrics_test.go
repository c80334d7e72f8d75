package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// watchWriter collects what is written and tells, once, when it has seen
// want: the console prints a reply only after the router observed the
// message, so a reply to the last line means every line before it counted.
type watchWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func newWatchWriter(want string) *watchWriter {
	return &watchWriter{want: want, seen: make(chan struct{})}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if w.want != "" && strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// sample returns the sum of the samples whose line starts with prefix (a
// metric name with its first labels), and whether there was any.
func sample(body, prefix string) (float64, bool) {
	var sum float64
	found := false
	for _, l := range strings.Split(body, "\n") {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			continue
		}
		sum += v
		found = true
	}
	return sum, found
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// startConsole runs bot run in the console on the config at path, with
// http.addr at addr, until what is written to feed ends; stdout and stderr
// signal when they show the text given for them.
func startConsole(path, addr, stdoutWants, stderrWants string) (feed *io.PipeWriter, stdout, stderr *watchWriter, done chan error) {
	stdin, feed := io.Pipe()
	stdout, stderr = newWatchWriter(stdoutWants), newWatchWriter(stderrWants)
	a := &app{env: []string{"CHATDESK_HTTP_ADDR=" + addr}, stdin: stdin, stdout: stdout, stderr: stderr}
	done = make(chan error, 1)
	go func() { done <- a.execute(context.Background(), []string{"run", "--config", path}) }()
	return feed, stdout, stderr, done
}

// TestConsoleMetrics runs a scripted chat through the console with
// http.addr set and scrapes /metrics while the bot still runs.
func TestConsoleMetrics(t *testing.T) {
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, "bot: {data_dir: data}\n"+
		"moderation: {rules: {banned_terms: {terms: [badword]}}}\n"+
		"channels: [{name: mira, faq: ["+demo+"]}]\n")
	addr := freeAddr(t)
	feed, stdout, stderr, done := startConsole(path, addr, "@kim: Ask me anything", "")

	chat := []string{
		"ana: when do you stream?",
		"bob: is there a discord?",
		"cat: how do I bake bread in a volcano?",
		"dan: @chatdesk what is your favourite colour?",
		"eve: buy cheap badword now",
		"@mod kim: !answer 1 blue, always blue",
		"@mod kim: !resolve 1",
		"@mod kim: !help",
	}
	go func() {
		_, _ = io.WriteString(feed, strings.Join(chat, "\n")+"\n")
	}()
	select {
	case <-stdout.seen:
	case err := <-done:
		t.Fatalf("console ended early: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("no reply to the last line\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}

	code, body := get(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: status %d", code)
	}
	tests := []struct {
		prefix string
		want   float64
	}{
		{`chatdesk_messages_total{channel="mira"}`, float64(len(chat))},
		{`chatdesk_answers_total{channel="mira",entry="schedule"}`, 1},
		{`chatdesk_answers_total{channel="mira",entry="discord"}`, 1},
		{`chatdesk_missed_questions_total{channel="mira"}`, 1},
		{`chatdesk_escalations_total{channel="mira"}`, 1},
		{`chatdesk_decisions_total{action="command",channel="mira"}`, 3},
		{`chatdesk_moderation_actions_total{channel="mira",rule="banned_terms",`, 1},
		{`chatdesk_answer_latency_seconds_count{channel="mira"}`, 2},
		{`chatdesk_tickets_opened_total{channel="mira"}`, 1},
		{`chatdesk_ticket_first_response_seconds_count{channel="mira"}`, 1},
		{`chatdesk_ticket_resolution_seconds_count{channel="mira"}`, 1},
		{`chatdesk_tickets_closed_total{channel="mira",how="resolved"}`, 1},
		{`chatdesk_open_tickets{channel="mira"}`, 0},
		{`chatdesk_messages_dropped_total`, 0},
	}
	for _, tt := range tests {
		got, ok := sample(body, tt.prefix)
		if !ok {
			t.Errorf("/metrics has no %s", tt.prefix)
			continue
		}
		if got != tt.want {
			t.Errorf("%s = %v; want %v", tt.prefix, got, tt.want)
		}
	}
	if strings.Contains(body, "ana") || strings.Contains(body, "kim") {
		t.Errorf("/metrics names a viewer:\n%s", body)
	}
	if code, body := get(t, "http://"+addr+"/healthz"); code != http.StatusOK || !strings.Contains(body, `"name": "mira"`) {
		t.Errorf("/healthz = %d %s; want 200 naming mira", code, body)
	}

	feed.Close()
	if err := <-done; err != nil {
		t.Fatalf("console: %v\nstderr:\n%s", err, stderr)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("%s still listens after the console ended", addr)
	}
}

// TestConsoleBusyPort: a taken http.addr costs the console its endpoint,
// not the chat.
func TestConsoleBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	o := invoke(t, []string{"CHATDESK_HTTP_ADDR=" + ln.Addr().String()}, "ana: when do you stream?\n", "run", "--config", shippedConfig)
	if o.err != nil {
		t.Fatalf("console with a busy port: %v\n%s", o.err, o.stderr)
	}
	if want := "chatdesk ↪ @ana: " + demoEntry(t, "schedule").Answer; !strings.Contains(o.stdout, want) {
		t.Errorf("stdout = %q; want the answer %q", o.stdout, want)
	}
	if !strings.Contains(o.stderr, "cannot listen on http.addr") {
		t.Errorf("stderr = %q; want a warning about http.addr", o.stderr)
	}
}
