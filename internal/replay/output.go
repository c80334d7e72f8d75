package replay

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Output is the line `bot replay` prints for one input message. Its field
// names are a contract with the tools that score replays; every field is
// always present so those tools need no defaults.
type Output struct {
	Line    int    `json:"line"`
	Channel string `json:"channel"`
	User    string `json:"user"`
	Text    string `json:"text"`
	// Action is one of chat.Action's values; a decision that did nothing
	// is "ignore", never empty.
	Action     chat.Action `json:"action"`
	FAQ        string      `json:"faq"`
	Confidence float64     `json:"confidence"`
	// Reply is every reply the bot would post, joined with " / ", so a
	// decision that posts twice (an answer and a pointer, say) shows both.
	Reply   string `json:"reply"`
	Rule    string `json:"rule"`
	Penalty string `json:"penalty"`
	Ticket  string `json:"ticket"`
	// Note explains unusual decisions (a malformed line, a cooldown); it
	// is the one field left out when empty.
	Note string `json:"note,omitempty"`
	// Explain is what tipped a moderation decision, with --explain only
	// (see chat.Decision.Why); left out otherwise.
	Explain []string `json:"explain,omitempty"`
}

// ReplySeparator joins the texts of several replies in Output.Reply. It is
// chosen to be rare inside a chat message and readable when it is not.
const ReplySeparator = " / "

// NewOutput describes what was decided about one record.
func NewOutput(rec Record, d chat.Decision) Output {
	action := d.Action
	if action == "" {
		action = chat.ActionIgnore
	}
	replies := make([]string, 0, len(d.Replies))
	for _, r := range d.Replies {
		replies = append(replies, r.Text)
	}
	return Output{
		Line:       rec.Line,
		Channel:    rec.Msg.Channel,
		User:       rec.Msg.User,
		Text:       rec.Msg.Text,
		Action:     action,
		FAQ:        d.FAQ,
		Confidence: round3(d.Confidence),
		Reply:      strings.Join(replies, ReplySeparator),
		Rule:       d.Rule,
		Penalty:    d.Penalty,
		Ticket:     d.Ticket,
		Note:       d.Note,
	}
}

// round3 keeps confidences to three decimals, enough to compare runs and
// short enough to read; encoding/json would refuse NaN or an infinity, and
// one odd score must not stop the output, so those become 0.
func round3(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*1000) / 1000
}

// Writer writes Outputs as JSON lines. It buffers, so Flush must be called
// when done.
type Writer struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewWriter writes to w. HTML escaping is off: replay output is read by
// people and scripts, and chat is full of "<3" and "&".
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{bw: bw, enc: enc}
}

// Write adds one line.
func (w *Writer) Write(o Output) error { return w.enc.Encode(o) }

// Flush writes out whatever is buffered.
func (w *Writer) Flush() error { return w.bw.Flush() }
