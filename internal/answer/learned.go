package answer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// LearnedFAQ is a channel's learned-answers file: a moderator's !learn
// appends an entry, the whole FAQ is checked with it, and the new index is
// swapped into the responder, so the next viewer gets the answer without
// waiting for a reload. The file is ordinary FAQ YAML the streamer may edit,
// or move into their own files. It implements the help desk's Learner.
type LearnedFAQ struct {
	// Library, when set, is where the channel's reloads get their index:
	// the index Learn builds is built with its model and handed to it, so
	// that the reload that notices the changed file finds it instead of
	// building the whole FAQ a second time.
	Library *Library

	path      string
	base      []string // the channel's own FAQ files
	responder *Responder
	created   chan struct{}

	mu sync.Mutex
}

// NewLearnedFAQ returns the learned file at path for a channel whose own
// FAQ files are base and whose answers come from r. The file need not exist:
// the first Learn creates it.
func NewLearnedFAQ(path string, base []string, r *Responder) *LearnedFAQ {
	return &LearnedFAQ{path: path, base: append([]string(nil), base...), responder: r, created: make(chan struct{}, 1)}
}

// Path is the learned file's path.
func (l *LearnedFAQ) Path() string { return l.path }

// Created is signalled once, when Learn first creates the file, so that
// whatever watches the channel's FAQ files for edits starts watching it too.
func (l *LearnedFAQ) Created() <-chan struct{} { return l.created }

// learnedHeader starts a new learned file.
const learnedHeader = `# Answers moderators taught the bot with !learn. This is an ordinary FAQ file:
# edit or delete entries freely, or move them into your own FAQ files. The bot
# appends new entries at the end, so keep "entries:" the last key.
entries:
`

// Learn adds an entry answering with answer to the wordings in questions
// that the FAQ does not have yet, with note as a comment above it. The id
// is made unique ("learned-7-2") if the FAQ has it. It returns the entry's
// id and the wordings added; when the FAQ has every wording already, it
// adds nothing and returns none. The new file must load with the rest of
// the FAQ before it replaces the old one, so a learned entry can never
// leave a channel with an FAQ that does not load.
func (l *LearnedFAQ) Learn(_ context.Context, id string, questions []string, answer, note string) (string, []string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old, err := os.ReadFile(l.path)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", nil, &BrokenFAQError{Err: err}
	}
	files := l.base
	if exists {
		files = append(append([]string(nil), l.base...), l.path)
	}
	current, err := LoadFAQ(files...)
	if err != nil {
		return "", nil, &BrokenFAQError{Err: err}
	}
	e := Entry{ID: id, Answer: answer}
	for i := 2; hasEntry(current, e.ID); i++ {
		e.ID = fmt.Sprintf("%s-%d", id, i)
	}
	known := map[string]bool{}
	for _, c := range current {
		for _, q := range c.Questions {
			known[questionKey(q)] = true
		}
	}
	for _, q := range questions {
		if k := questionKey(q); k != "" && !known[k] {
			known[k] = true
			e.Questions = append(e.Questions, q)
		}
	}
	if len(e.Questions) == 0 {
		return "", nil, nil
	}
	block, err := entryYAML(e, note)
	if err != nil {
		return "", nil, fmt.Errorf("learn: %w", err)
	}
	data := []byte(learnedHeader)
	if exists {
		data = old
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
	}
	data = append(data, block...)

	tmp, err := atomicfile.CreateTemp(l.path)
	if err != nil {
		return "", nil, fmt.Errorf("learn: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := atomicfile.Fill(tmp, data, 0o644); err != nil {
		return "", nil, fmt.Errorf("learn: %w", err)
	}
	entries, err := LoadFAQ(append(append([]string(nil), l.base...), tmp.Name())...)
	if err != nil {
		return "", nil, fmt.Errorf("learn: the new entry does not fit the faq: %s", strings.ReplaceAll(err.Error(), tmp.Name(), l.path))
	}
	for i := range entries {
		if entries[i].File == tmp.Name() {
			entries[i].File = l.path
		}
	}
	var emb Embedder
	if l.Library != nil {
		emb = l.Library.Embedder()
	}
	ix, err := BuildWith(entries, emb)
	if err != nil {
		return "", nil, fmt.Errorf("learn: %w", err)
	}
	if err := atomicfile.Commit(tmp.Name(), l.path); err != nil {
		ix.Close()
		return "", nil, fmt.Errorf("learn: %w", err)
	}
	if l.Library != nil {
		l.Library.adopt(append(append([]string(nil), l.base...), l.path), ix)
	}
	l.responder.Swap(ix)
	if !exists {
		select {
		case l.created <- struct{}{}:
		default:
		}
	}
	return e.ID, e.Questions, nil
}

// BrokenFAQError is Learn's refusal while the channel's FAQ files, the
// learned file among them, do not load as they are: a streamer's edit that
// went wrong, a damaged file. The running channel keeps the last FAQ that
// loaded; nothing is added until the files are fixed, since appending to a
// file that does not parse could only make it worse.
type BrokenFAQError struct{ Err error }

func (e *BrokenFAQError) Error() string {
	return "learn: the faq does not load as it is: " + e.Err.Error()
}

func (e *BrokenFAQError) Unwrap() error { return e.Err }

// FAQBroken tells the help desk, which does not import this package, that
// the moderator should have the FAQ fixed rather than try again.
func (e *BrokenFAQError) FAQBroken() bool { return true }

func hasEntry(entries []Entry, id string) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// entryYAML renders one entry as an item of the entries list; the YAML
// encoder quotes whatever viewers typed, so no chat text can break the file.
func entryYAML(e Entry, comment string) ([]byte, error) {
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
