package escalation

import (
	"context"
	"errors"
	"time"
)

// LearnRequest is a moderator's !learn: the answered ticket and the
// wordings viewers used for it.
type LearnRequest struct {
	Ticket    Ticket
	Questions []string
	By        string
	At        time.Time
}

// Learned is the FAQ entry a !learn saved.
type Learned struct {
	ID        string
	Questions []string
}

// Learner saves an answered ticket as an FAQ entry that the channel answers
// from at once. The FAQ belongs to the answer stage, so the wiring provides
// this; the desk only decides what to learn.
type Learner interface {
	Learn(ctx context.Context, r LearnRequest) (Learned, error)
}

// ErrKnown: every wording of the question is in the FAQ already.
var ErrKnown = errors.New("the faq already has these questions")
