package replay

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Handler decides about one message without carrying the decision out; the
// router is one.
type Handler interface {
	Handle(ctx context.Context, msg chat.Message) (chat.Decision, error)
}

// Replayer runs recorded chat through a Handler and writes one JSON decision
// per message, in input order.
type Replayer struct {
	h       Handler
	channel string
	format  Format
	out     *Writer
	// Progress, when set, gets a one-line progress bar for inputs of
	// known size (a terminal's stderr).
	Progress io.Writer
	// Score, when set, scores every line against its label as it is
	// replayed (`bot eval`).
	Score *Score

	sum Summary
	// clock is the time of the last message replayed.
	clock time.Time
}

// Summary counts what a replay decided.
type Summary struct {
	// Messages counts the lines read as chat messages; Actions splits
	// them by decision.
	Messages int
	// Malformed counts the lines that could not be read as a message.
	Malformed int
	Actions   map[chat.Action]int
}

// NewReplayer replays into out, with messages of files that name no channel
// taken to be in channel, read in format f (FormatAuto: per file).
func NewReplayer(h Handler, channel string, f Format, out io.Writer) *Replayer {
	return &Replayer{h: h, channel: channel, format: f, out: NewWriter(out),
		sum: Summary{Actions: map[chat.Action]int{}}, clock: time.Now()}
}

// Replay reads one input to its end (or until ctx ends); name labels it in
// errors and the progress bar, size is its length when known (else 0).
func (r *Replayer) Replay(ctx context.Context, name string, in io.Reader, size int64) error {
	cr := &countingReader{r: in}
	rd := NewReader(cr, r.format, r.channel)
	var lastDraw time.Time
	progress := r.Progress != nil && size > 0
	for ctx.Err() == nil {
		rec, ok := rd.Next()
		if !ok {
			break
		}
		var d chat.Decision
		if rec.Err != nil {
			r.sum.Malformed++
			d = chat.Decision{Action: chat.ActionIgnore, Note: "malformed: " + rec.Err.Error()}
		} else {
			// A line without a timestamp is taken to come a second after
			// the one before: replayed all in the same instant, a chatty
			// viewer's lines would look like a flood, and every repeated
			// question like a crowd.
			if rec.Msg.Time.IsZero() {
				rec.Msg.Time = r.clock.Add(time.Second)
			}
			r.clock = rec.Msg.Time
			var err error
			if d, err = r.h.Handle(ctx, rec.Msg); err != nil {
				return err
			}
		}
		if d.Action == "" {
			d.Action = chat.ActionIgnore
		}
		// A malformed line gets its line of output, so the output keeps
		// one line per input line, but it was no message: the summary
		// counts it apart.
		if rec.Err == nil {
			r.sum.Messages++
			r.sum.Actions[d.Action]++
		}
		o := NewOutput(rec, d)
		if r.Score != nil {
			r.Score.Add(rec, o)
		}
		if err := r.out.Write(o); err != nil {
			return fmt.Errorf("write replay output: %w", err)
		}
		if progress && (r.sum.Messages+r.sum.Malformed)%512 == 0 && time.Since(lastDraw) > 100*time.Millisecond {
			lastDraw = time.Now()
			drawProgress(r.Progress, filepath.Base(name), cr.n, size, r.sum.Messages)
		}
	}
	if progress {
		drawProgress(r.Progress, filepath.Base(name), size, size, r.sum.Messages)
		fmt.Fprintln(r.Progress)
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("replay %s: %w", name, err)
	}
	return nil
}

// Finish writes out what is buffered and returns the counts.
func (r *Replayer) Finish() (Summary, error) {
	if err := r.out.Flush(); err != nil {
		return r.sum, fmt.Errorf("write replay output: %w", err)
	}
	return r.sum, nil
}

// Line is the summary as one line for stderr, with the rate over elapsed.
func (s Summary) Line(elapsed time.Duration) string {
	known := []chat.Action{chat.ActionAnswer, chat.ActionModerate, chat.ActionEscalate, chat.ActionCommand, chat.ActionIgnore}
	var parts []string
	for _, act := range known {
		parts = append(parts, fmt.Sprintf("%s %d", act, s.Actions[act]))
	}
	var other []string
	for act, n := range s.Actions {
		if !slices.Contains(known, act) {
			other = append(other, fmt.Sprintf("%s %d", act, n))
		}
	}
	sort.Strings(other)
	parts = append(parts, other...)
	rate := float64(s.Messages) / elapsed.Seconds()
	line := fmt.Sprintf("replayed %s in %s (%.0f msgs/s): %s", plural(s.Messages, "message"), elapsed.Round(time.Millisecond), rate, strings.Join(parts, ", "))
	if s.Malformed > 0 {
		line += fmt.Sprintf("; %s", plural(s.Malformed, "malformed line"))
	}
	return line
}

// plural is n and noun, with an s unless n is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// drawProgress redraws a one-line progress bar on a terminal.
func drawProgress(w io.Writer, name string, done, total int64, msgs int) {
	const width = 30
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	fmt.Fprintf(w, "\r%s [%s%s] %3.0f%% %d msgs", name, strings.Repeat("█", filled), strings.Repeat("·", width-filled), frac*100, msgs)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
