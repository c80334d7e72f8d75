package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

// answerer answers every line that ends in '?' and remembers the times it
// saw.
type answerer struct{ times []time.Time }

func (a *answerer) Handle(_ context.Context, msg chat.Message) (chat.Decision, error) {
	a.times = append(a.times, msg.Time)
	if strings.HasSuffix(msg.Text, "?") {
		return chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, nil
	}
	return chat.Decision{}, nil
}

func TestReplayer(t *testing.T) {
	var out bytes.Buffer
	h := &answerer{}
	rp := replay.NewReplayer(h, "mira", replay.FormatJSONL, &out)
	in := `{"user":"ana","text":"when do you stream?"}
{"user":"bob","text":"hi"}
not json
`
	if err := rp.Replay(context.Background(), "chat.jsonl", strings.NewReader(in), int64(len(in))); err != nil {
		t.Fatal(err)
	}
	sum, err := rp.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != 2 || sum.Malformed != 1 || sum.Actions[chat.ActionAnswer] != 1 || sum.Actions[chat.ActionIgnore] != 1 {
		t.Errorf("summary %+v; want 2 messages, 1 malformed, 1 answer, 1 ignored", sum)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d output lines; want one per input line:\n%s", len(lines), out.String())
	}
	var first struct{ Action, FAQ, Channel, User string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Action != "answer" || first.FAQ != "schedule" || first.Channel != "mira" || first.User != "ana" {
		t.Errorf("first line %s (%v); want ana's answer in #mira", lines[0], err)
	}
	if len(h.times) != 2 || h.times[1].Sub(h.times[0]) != time.Second {
		t.Errorf("untimed lines came at %v; want one second apart", h.times)
	}
	if got := sum.Line(time.Second); !strings.Contains(got, "replayed 2 messages") || !strings.Contains(got, "answer 1") || !strings.HasSuffix(got, "; 1 malformed line") {
		t.Errorf("summary line %q", got)
	}
}
