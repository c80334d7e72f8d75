package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatdesk/chatdesk/internal/browsertest"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// TestInChromium is a viewer and a moderator in a real browser: search the
// knowledge base, send a suggestion, sign in with the local link, see a
// ticket arrive live, claim it, answer it, and the answer is in chat. No
// page writes to the console. The screenshots are the test's artefacts
// (go test -artifacts); CHATDESK_WEB_SCREENSHOTS=<dir> keeps them too, as
// the README's are kept.
func TestInChromium(t *testing.T) {
	bin := browsertest.Chromium(t, "the web desk is not checked in a browser")
	f := newFixture(t, escalation.NewMemoryStore(), func(s *setup) {
		s.Poll = 50 * time.Millisecond
		s.Desk.SuggestLimit = 0 // the default, as the screenshot shows it
	})
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	f.srv.cfg.BaseURL = srv.URL
	runCtx, stopRun := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- f.srv.Run(runCtx) }()
	defer func() { stopRun(); <-runDone }()

	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.WindowSize(1100, 900)}
	for _, fl := range browsertest.Flags(dir) {
		name, value, ok := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
		if ok {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		console []string
	)
	listenCtx, stopListen := context.WithCancel(ctx)
	listened := make(chan struct{})
	messages := chromedp.Console(listenCtx)
	go func() {
		defer close(listened)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				console = append(console, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()
	step, cancelStep := context.WithTimeout(ctx, 90*time.Second)
	defer cancelStep()
	shots := map[string][]byte{}
	// shot is the whole page; a long one (the FAQ page) only its first
	// screen.
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			capture := chromedp.FullScreenshot(100)
			if name == "faq" {
				capture = chromedp.CaptureScreenshot()
			}
			png, err := capture(ctx, tg)
			shots[name] = png
			return err
		})
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for i, st := range steps {
			if err := chromedp.Do(step, st); err != nil {
				t.Fatalf("%s, step %d: %v", what, i, err)
			}
		}
	}
	// waitFor polls the page until js is true. A click that sends a form
	// replaces the document, and a query begun on the old one would wait
	// on it for ever; an evaluation is retried across the navigation.
	waitFor := func(what, js string) {
		t.Helper()
		for {
			try, cancel := context.WithTimeout(step, 2*time.Second)
			ok, err := chromedp.Run(try, chromedp.Evaluate[bool](js))
			cancel()
			if err == nil && ok {
				return
			}
			if step.Err() != nil {
				t.Fatalf("%s: %v (last: %v)", what, step.Err(), err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	noteSays := func(words string) string {
		return `document.readyState === "complete" && !!document.querySelector(".note") && document.querySelector(".note").textContent.includes(` + strconv.Quote(words) + `)`
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// A viewer searches the knowledge base.
	do("search", chromedp.Navigate(srv.URL+"/c/mira"),
		chromedp.SendKeys(chromedp.CSS("#q"), "when do you go live"),
		chromedp.Submit(chromedp.CSS("#q")))
	waitFor("search", `document.readyState === "complete" && !!document.querySelector(".entry.confident")`)
	do("searched", shot("knowledge-base"))
	if got := text(".entry.confident .answer"); !strings.Contains(got, "18:00") {
		t.Errorf("the confident answer is %q; want the schedule", got)
	}

	// …and sends a suggestion.
	do("suggest", chromedp.Navigate(srv.URL+"/c/mira/suggest"),
		chromedp.SendKeys(chromedp.CSS("#text"), "a cozy cooking stream on Sundays"),
		chromedp.Submit(chromedp.CSS("#text")))
	waitFor("suggest", `document.readyState === "complete" && !!document.querySelector(".note.ok")`)
	do("suggested", shot("suggestion-box"))

	// A viewer asks in chat; the streamer signs in with the link bot run
	// logged.
	asked := "#t" + strconv.FormatInt(f.ask("mira", "ana", "is the art stream on Sunday this week?"), 10)
	do("sign in", chromedp.Navigate(f.srv.LoginLink()), chromedp.Click(chromedp.CSS("#signin")))
	waitFor("sign in", `document.readyState === "complete" && location.pathname === "/desk"`)
	do("desk", chromedp.Navigate(srv.URL+"/desk/mira"),
		chromedp.WaitVisible(chromedp.CSS(asked)),
		chromedp.WaitVisible(chromedp.CSS("#live")))

	// A second question arrives while the desk is open: it shows up live.
	n := f.ask("mira", "bo", "what brushes do you use for lineart")
	do("live update", chromedp.WaitVisible(chromedp.CSS("#t"+strconv.FormatInt(n, 10))), shot("desk"))

	// Claim and answer ana's ticket.
	do("claim", chromedp.Click(chromedp.CSS(asked+" button.claim")))
	waitFor("claim", noteSays("claimed"))
	if got := text(asked + " .state"); got != "claimed by mira" {
		t.Errorf("after claim the ticket is %q", got)
	}
	do("answer", chromedp.SendKeys(chromedp.CSS(asked+" form.answer input[name=text]"), "yes, Sunday at 15:00 as always"),
		chromedp.Click(chromedp.CSS(asked+" button.answer")))
	waitFor("answer", noteSays("answered"))
	do("answered", shot("desk-answered"))
	if got := text(".note"); !strings.Contains(got, "delivered to ana") {
		t.Errorf("the desk says %q", got)
	}
	var inChat bool
	for _, line := range f.chat.lines() {
		if strings.HasPrefix(line, "@ana ") && strings.Contains(line, "yes, Sunday at 15:00 as always") {
			inChat = true
		}
	}
	if !inChat {
		t.Errorf("the answer is not in chat: %q", f.chat.lines())
	}

	// The streamer's FAQ page: try a question.
	do("faq", chromedp.Navigate(srv.URL+"/desk/mira/faq"),
		chromedp.SendKeys(chromedp.CSS("#try"), "what brushes do you use"),
		chromedp.Submit(chromedp.CSS("#try")))
	waitFor("try a question", `document.readyState === "complete" && !!document.querySelector(".tried")`)
	do("tried", shot("faq"))

	stopListen()
	<-listened
	mu.Lock()
	for _, m := range console {
		t.Errorf("console: %s", m)
	}
	mu.Unlock()

	keep := os.Getenv("CHATDESK_WEB_SCREENSHOTS")
	for name, png := range shots {
		if len(png) < 5_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("screenshot %s is %d bytes; want a PNG of the page", name, len(png))
		}
		for _, d := range []string{t.ArtifactDir(), keep} {
			if d == "" {
				continue
			}
			if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
