package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConsoleWebDesk: bot run in the console serves the web desk on
// http.addr and logs a one-time login link; signed in with it, an answer
// from the desk reaches the console's chat as !answer's would.
func TestConsoleWebDesk(t *testing.T) {
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: ["+demo+"]}]\n")
	addr := freeAddr(t)
	feed, stdout, stderr, done := startConsole(path, addr, "(ticket #1)", "login?token=")
	go func() { _, _ = io.WriteString(feed, "ana: !ask is there a vod of yesterday?\n") }()
	for _, w := range []*watchWriter{stderr, stdout} {
		select {
		case <-w.seen:
		case err := <-done:
			t.Fatalf("console ended early: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		case <-time.After(30 * time.Second):
			t.Fatalf("waited for %q\nstdout:\n%s\nstderr:\n%s", w.want, stdout, stderr)
		}
	}
	link := regexp.MustCompile(`url="?(http://[^"\s]+/login\?token=[^"\s]+)`).FindStringSubmatch(stderr.String())
	if link == nil || !strings.Contains(link[1], addr) {
		t.Fatalf("no login link for %s in the log:\n%s", addr, stderr)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	field := func(body, name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field:\n%s", name, body)
		}
		return m[1]
	}
	read := func(res *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	base := "http://" + addr
	if code, body := read(c.Get(base + "/c/mira?q=" + url.QueryEscape("when do you stream?"))); code != 200 || !strings.Contains(body, "The bot answers this in chat") {
		t.Fatalf("knowledge base: %d\n%s", code, body)
	}
	if code, body := read(c.Get(base + "/desk/mira")); code != 200 || strings.Contains(body, "vod of yesterday") {
		t.Fatalf("the desk without a session: %d, shows the ticket: %v", code, strings.Contains(body, "vod of yesterday"))
	}
	_, page := read(c.Get(link[1]))
	code, desk := read(c.PostForm(base+"/login", url.Values{"csrf": {field(page, "csrf")}, "token": {field(page, "token")}}))
	if code != 200 || !strings.Contains(desk, "Your desks") {
		t.Fatalf("sign in: %d\n%s", code, desk)
	}
	_, desk = read(c.Get(base + "/desk/mira"))
	if !strings.Contains(desk, "is there a vod of yesterday?") {
		t.Fatalf("the desk does not show the ticket:\n%s", desk)
	}
	code, after := read(c.PostForm(base+"/desk/mira/tickets/1/answer", url.Values{"csrf": {field(desk, "csrf")}, "text": {"yes, on the channel page"}}))
	if code != 200 || !strings.Contains(after, "#1 answered") {
		t.Fatalf("answer: %d\n%s", code, after)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "yes, on the channel page") {
		if time.Now().After(deadline) {
			t.Fatalf("the answer is not in the console's chat:\n%s", stdout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	feed.Close()
	if err := <-done; err != nil {
		t.Fatalf("console: %v\nstderr:\n%s", err, stderr)
	}
}
