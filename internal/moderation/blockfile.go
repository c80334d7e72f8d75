package moderation

import (
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// BlockFile keeps a channel's !block terms in a YAML file, so they survive
// a restart. The streamer may read it; moderators edit it from chat.
type BlockFile struct {
	// Path is the file; it need not exist yet.
	Path string
	// Dry keeps !block edits for the run only: a replay of chat that
	// contains !block must not change the live bot's list.
	Dry bool
}

type blockFileData struct {
	Terms []string `yaml:"terms"`
}

// Load reads the terms; a missing file holds none.
func (b BlockFile) Load() ([]string, error) {
	data, err := os.ReadFile(b.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read blocked terms: %w", err)
	}
	var f blockFileData
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Path, err)
	}
	return f.Terms, nil
}

// Save writes the list whole and atomically, so a crash never leaves half
// a list. It implements BlockSaver.
func (b BlockFile) Save(terms []string) error {
	if b.Dry {
		return nil
	}
	data, err := yaml.Marshal(blockFileData{Terms: terms})
	if err != nil {
		return fmt.Errorf("save blocked terms: %w", err)
	}
	data = append([]byte("# Terms moderators blocked with !block; edit with !block and !unblock.\n"), data...)
	if err := atomicfile.Write(b.Path, data, 0o644); err != nil {
		return fmt.Errorf("save blocked terms: %w", err)
	}
	return nil
}
