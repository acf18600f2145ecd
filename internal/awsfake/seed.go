package awsfake

// ManagementAccountID is the id of the organization's management account,
// the account of Config's credentials.
func (s *Server) ManagementAccountID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.mgmt
}

// OrganizationID is the organization's id, o-....
func (s *Server) OrganizationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.id
}

// RootID is the id of the organization's root, r-....
func (s *Server) RootID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.rootID
}

// AddAccount adds an account to the organization, or replaces the one
// with the same id. Its parent must already exist.
func (s *Server) AddAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.addAccount(a)
}

// AddOU adds an organizational unit, or replaces the one with the same id.
func (s *Server) AddOU(ou OU) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.addOU(ou)
}

// Accounts returns the organization's accounts ordered by id.
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Account, 0, len(s.org.accountIDs))
	for _, id := range s.org.accountIDs {
		out = append(out, *s.org.accounts[id])
	}
	return out
}

// SetSerialConsole seeds serial console access of an account in a region,
// as if the account had called Enable or Disable.
func (s *Server) SetSerialConsole(account, region string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serialStateFor(account, region).enabled = enabled
}

// SetDeclarativePolicy marks serial console access of an account in a
// region as disabled by a declarative policy (managed true), or lifts the
// mark. Policies attached through Organizations apply as well.
func (s *Server) SetDeclarativePolicy(account, region string, managed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serialStateFor(account, region).declarative = managed
}

// SerialConsole returns the effective serial console access of an account
// in a region and who manages it (ManagedByAccount or
// ManagedByDeclarative), as GetSerialConsoleAccessStatus would.
func (s *Server) SerialConsole(account, region string) (enabled bool,
	managedBy string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serialConsole(account, region)
}
