package escalation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/chatdesk/chatdesk/internal/answer"
)

// LearnRequest is a moderator's !learn: the answered ticket and the
// wordings viewers used for it.
type LearnRequest struct {
	Ticket    Ticket
	Questions []string
	By        string
	At        time.Time
}

// Learner saves an answered ticket as an FAQ entry that the channel answers
// from at once. It returns the entry as saved.
type Learner interface {
	Learn(ctx context.Context, r LearnRequest) (answer.Entry, error)
}

// ErrKnown: every wording of the question is in the FAQ already.
var ErrKnown = errors.New("the faq already has these questions")

// Swapper takes a new FAQ index into service; *answer.Responder is one.
type Swapper interface {
	Swap(ix *answer.Index)
}

// LearnedFAQ is a channel's learned-answers file: !learn appends an entry to
// it, checks the channel's whole FAQ with the entry in, and swaps the new
// index into the responder, so the next viewer gets the answer without a
// reload. The file is ordinary FAQ YAML that the streamer may edit or move
// into their own files.
type LearnedFAQ struct {
	// Path is the learned file; it is created on the first !learn.
	Path string
	// Files returns the channel's other FAQ files.
	Files func() []string
	// Responder gets the new index.
	Responder Swapper
	// Created, when set, is called after the file was first written, so
	// whatever watches the channel's FAQ files can start watching it.
	Created func()

	mu sync.Mutex
}

// learnedHeader starts a new learned file.
const learnedHeader = `# Answers moderators taught the bot with !learn. This is an ordinary FAQ file:
# edit or delete entries freely, or move them into your own FAQ files. The bot
# appends new entries at the end, so keep "entries:" the last key.
entries:
`

// Learn implements Learner.
func (l *LearnedFAQ) Learn(_ context.Context, r LearnRequest) (answer.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	others := l.Files()
	old, err := os.ReadFile(l.Path)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	files := others
	if exists {
		files = append(append([]string(nil), others...), l.Path)
	}
	current, err := answer.LoadFAQ(files...)
	if err != nil {
		return answer.Entry{}, fmt.Errorf("learn: the faq does not load as it is: %w", err)
	}
	e := answer.Entry{ID: "learned-" + strconv.FormatInt(r.Ticket.Number, 10), Answer: r.Ticket.Answer}
	for i := 2; ; i++ {
		if !hasID(current, e.ID) {
			break
		}
		e.ID = fmt.Sprintf("learned-%d-%d", r.Ticket.Number, i)
	}
	known := map[string]bool{}
	for _, c := range current {
		for _, q := range c.Questions {
			known[questionKey(q)] = true
		}
	}
	for _, q := range r.Questions {
		if k := questionKey(q); k != "" && !known[k] {
			known[k] = true
			e.Questions = append(e.Questions, q)
		}
	}
	if len(e.Questions) == 0 {
		return answer.Entry{}, ErrKnown
	}
	block, err := entryYAML(e, fmt.Sprintf("from ticket %s, learned by %s on %s", r.Ticket.Ref(), r.By, r.At.UTC().Format("2006-01-02")))
	if err != nil {
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	data := []byte(learnedHeader)
	if exists {
		data = old
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
	}
	data = append(data, block...)

	// The new file is checked with the rest of the FAQ before it replaces
	// the old one, so a !learn can never leave the channel with an FAQ that
	// does not load.
	tmp, err := os.CreateTemp(filepath.Dir(l.Path), "."+filepath.Base(l.Path)+".*")
	if err != nil {
		if mkErr := os.MkdirAll(filepath.Dir(l.Path), 0o755); mkErr != nil {
			return answer.Entry{}, fmt.Errorf("learn: %w", mkErr)
		}
		if tmp, err = os.CreateTemp(filepath.Dir(l.Path), "."+filepath.Base(l.Path)+".*"); err != nil {
			return answer.Entry{}, fmt.Errorf("learn: %w", err)
		}
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	entries, err := answer.LoadFAQ(append(append([]string(nil), others...), tmp.Name())...)
	if err != nil {
		return answer.Entry{}, fmt.Errorf("learn: the new entry does not fit the faq: %s", strings.ReplaceAll(err.Error(), tmp.Name(), l.Path))
	}
	ix, err := answer.Build(entries)
	if err != nil {
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	if err := os.Rename(tmp.Name(), l.Path); err != nil {
		ix.Close()
		return answer.Entry{}, fmt.Errorf("learn: %w", err)
	}
	syncDir(filepath.Dir(l.Path))
	l.Responder.Swap(ix)
	if !exists && l.Created != nil {
		l.Created()
	}
	return e, nil
}

func hasID(entries []answer.Entry, id string) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// questionKey folds case and spacing the way the FAQ loader does when it
// looks for a question listed twice.
func questionKey(q string) string { return strings.Join(strings.Fields(strings.ToLower(q)), " ") }

// entryYAML renders one entry as an item of the entries list, quoting
// whatever viewers typed so that no chat text can break the YAML.
func entryYAML(e answer.Entry, comment string) ([]byte, error) {
	type item struct {
		ID        string   `yaml:"id"`
		Questions []string `yaml:"questions"`
		Answer    string   `yaml:"answer"`
	}
	out, err := yaml.Marshal([]item{{ID: e.ID, Questions: e.Questions, Answer: e.Answer}})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("  # " + strings.ReplaceAll(comment, "\n", " ") + "\n")
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line != "" {
			b.WriteString("  " + line)
		}
	}
	return b.Bytes(), nil
}

// syncDir makes a rename durable; a failure only weakens that, so it is not
// reported.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}
