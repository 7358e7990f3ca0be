package store

import "fmt"

// Update changes the configuration with change, which edits a copy, and
// saves it the way SaveAccount does: validated first, written atomically,
// never over a file that failed to load or that another program changed
// since. Secrets have no place in a Config, so none reaches the file. When
// change returns an error, or the result does not validate, nothing is
// written and the configuration stays as it was.
func (p *Profile) Update(change func(*Config) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.writableLocked(); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	next := p.cfg.Clone()
	if err := change(next); err != nil {
		return err
	}
	data, err := encodeConfig(p.path, next)
	if err != nil {
		return err
	}
	if err := p.checkUnchangedLocked(); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	if err := p.writeFile(p.path, data); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	p.setConfigLocked(next)
	p.onDisk = stateOf(data)
	p.log.Info("settings saved", "file", p.path)
	return nil
}
