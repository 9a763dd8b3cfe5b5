# Installing Palacios (included by GNUmakefile).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   the programs, the sandbox, man pages,
#                                                 desktop entry, udev rule and group setup
#   make uninstall [PREFIX=...] [DESTDIR=]        removes exactly what install put there
#   make install-dkms [DESTDIR=]                  the module's source and dkms.conf in
#                                                 /usr/src/v3vee-VERSION for DKMS
#   make man                                      the man pages in build/man
#   make deb                                      the Debian packages in build/deb, lintian-checked
#
# Layout (FHS): PREFIX/bin (palacios, build_vm, v3_*, v3agent),
# PREFIX/lib/palacios (the v3 tools' shared binary, v3vee-setup-group, the
# sandbox's prebuilt initramfs), PREFIX/share/palacios (the sandbox script,
# sample configs and guests), PREFIX/share/{man,applications,metainfo,icons}.
# Every program finds share/palacios relative to itself
# (v3tools/libv3ctl/install_paths.h), so any PREFIX or DESTDIR copy works.
# udev and systemd-sysusers read only /usr/lib and /etc, hence their own
# directories. A real install (no DESTDIR) as root also creates the group
# v3vee and /etc/modprobe.d/v3vee.conf (options v3vee gid=N).

VERSION := $(shell cat $(CURDIR)/VERSION)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
PKGLIBDIR := $(PREFIX)/lib/palacios
PKGDATADIR := $(PREFIX)/share/palacios
MANDIR := $(PREFIX)/share/man
UDEVRULESDIR ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
DKMSSRCDIR ?= /usr/src
MODPROBE_CONF ?= /etc/modprobe.d/v3vee.conf
MANIFEST := $(PKGLIBDIR)/installed-files
APP_ID := org.v3vee.Palacios
SAMPLE_GUEST := hello

man: userspace
	docs/man/make-man.sh $(BUILD)/bin $(BUILD)/man

# The build tree has the installed layout too: build/bin/../share/palacios.
build-tree-data: userspace
	@mkdir -p $(BUILD)/share/palacios/sandbox
	@ln -sfn $(CURDIR)/v3tools/sandbox/v3sandbox $(BUILD)/share/palacios/sandbox/v3sandbox
	@ln -sfn $(CURDIR)/resources/configs $(BUILD)/share/palacios/configs

# A shell function for the install recipe: put MODE SRC DIR installs SRC
# into DESTDIR/DIR and records DIR/NAME in the manifest.
put = put() { install -D -m $$1 "$$2" "$(DESTDIR)$$3/$$(basename "$$2")" && \
	echo "$$3/$$(basename "$$2")" >>$(DESTDIR)$(MANIFEST).tmp; };

install: sandbox man
	@test -f $(BUILD)/sandbox/kernel-version || { echo "install: no $(BUILD)/sandbox/kernel-version; run make first" >&2; exit 1; }
	@mkdir -p $(DESTDIR)$(PKGLIBDIR) && : >$(DESTDIR)$(MANIFEST).tmp
	@# Programs: regular files to bin (v3_vncserver too, once it exists); the
	@# v3 tools are one binary in lib/palacios with a symlink per name.
	@set -e; $(put) for f in $(BUILD)/bin/*; do \
		name=$$(basename $$f); \
		if [ "$$name" = v3tools ]; then put 0755 $$f $(PKGLIBDIR); \
		elif [ -L "$$f" ]; then \
			mkdir -p $(DESTDIR)$(BINDIR); \
			ln -sfn ../lib/palacios/$$(readlink $$f) $(DESTDIR)$(BINDIR)/$$name; \
			echo $(BINDIR)/$$name >>$(DESTDIR)$(MANIFEST).tmp; \
		elif [ -x "$$f" ]; then put 0755 $$f $(BINDIR); fi; \
	done
	@set -e; $(put) for m in $(BUILD)/man/*.1; do put 0644 $$m $(MANDIR)/man1; done; \
	for m in $(BUILD)/man/*.5; do put 0644 $$m $(MANDIR)/man5; done
	@# The sandbox: the script in its installed layout, the prebuilt initramfs
	@# and the kernel release it was built for (fetched from Debian on first use).
	@set -e; $(put) mkdir -p $(DESTDIR)$(PKGDATADIR)/sandbox; \
	sed 's/^layout=source .*/layout=installed # set by make install/' v3tools/sandbox/v3sandbox \
		>$(DESTDIR)$(PKGDATADIR)/sandbox/v3sandbox; \
	chmod 0755 $(DESTDIR)$(PKGDATADIR)/sandbox/v3sandbox; \
	echo $(PKGDATADIR)/sandbox/v3sandbox >>$(DESTDIR)$(MANIFEST).tmp; \
	put 0644 $(BUILD)/sandbox/initramfs.cpio.gz $(PKGLIBDIR)/sandbox; \
	put 0644 $(BUILD)/sandbox/kernel-version $(PKGLIBDIR)/sandbox; \
	put 0755 packaging/v3vee-setup-group $(PKGLIBDIR); \
	for c in resources/configs/*.xml; do put 0644 $$c $(PKGDATADIR)/configs; done; \
	for g in $(SAMPLE_GUEST).xml $(SAMPLE_GUEST).bin $(SAMPLE_GUEST).img; do \
		put 0644 $(BUILD)/guests/$$g $(PKGDATADIR)/guests; done
	@set -e; $(put) put 0644 resources/$(APP_ID).desktop $(PREFIX)/share/applications; \
	put 0644 resources/$(APP_ID).metainfo.xml $(PREFIX)/share/metainfo; \
	put 0644 resources/icons/palacios.svg $(PREFIX)/share/icons/hicolor/scalable/apps; \
	put 0644 packaging/udev/60-v3vee.rules $(UDEVRULESDIR); \
	put 0644 packaging/sysusers.d/v3vee.conf $(SYSUSERSDIR)
	@echo $(MANIFEST) >>$(DESTDIR)$(MANIFEST).tmp && mv $(DESTDIR)$(MANIFEST).tmp $(DESTDIR)$(MANIFEST)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		$(PKGLIBDIR)/v3vee-setup-group $(MODPROBE_CONF); \
		udevadm control --reload 2>/dev/null || true; \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "install: not root, so no group v3vee and no $(MODPROBE_CONF): run $(PKGLIBDIR)/v3vee-setup-group as root"; \
	fi
	@echo "install: Palacios $(VERSION) in $(DESTDIR)$(PREFIX) ($$(wc -l <$(DESTDIR)$(MANIFEST)) files, listed in $(MANIFEST))"

uninstall:
	@test -f $(DESTDIR)$(MANIFEST) || { echo "uninstall: no $(DESTDIR)$(MANIFEST): nothing installed there" >&2; exit 1; }
	@while read -r f; do rm -f "$(DESTDIR)$$f"; done <$(DESTDIR)$(MANIFEST)
	@find $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(PKGDATADIR) -depth -type d -empty -delete 2>/dev/null || true
	@echo "uninstall: removed Palacios from $(DESTDIR)$(PREFIX)$(if $(DESTDIR),, (the group v3vee and $(MODPROBE_CONF) stay))"

# The module's source for DKMS: kmod/ and the core's freestanding sources.
install-dkms:
	@set -e; dst=$(DESTDIR)$(DKMSSRCDIR)/v3vee-$(VERSION); mkdir -p $$dst; \
	tar -cf - kmod/Makefile kmod/Kbuild kmod/glue kmod/uapi core/include core/src core/freestanding | tar -xf - -C $$dst; \
	sed 's/@VERSION@/$(VERSION)/g' packaging/dkms.conf.in >$$dst/dkms.conf; \
	echo "install-dkms: $$dst (then: dkms install v3vee/$(VERSION))"

# The Debian packages (debian/): palacios, palacios-sandbox, v3vee-dkms, built
# by dpkg-buildpackage in a clean copy of the tracked and new files under
# build/deb (the .debs land there), then checked by lintian. Takes a full
# build's time, so it is not part of make check.
DEB_DIR := $(BUILD)/deb
deb: deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/palacios-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' | \
		tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/palacios-$(VERSION)
	cd $(DEB_DIR)/palacios-$(VERSION) && dpkg-buildpackage -us -uc -b -j$(JOBS)
	lintian --fail-on error $(DEB_DIR)/palacios_$(VERSION)_amd64.changes
	@ls -l $(DEB_DIR)/*.deb

# Installs those packages into a fresh Debian 12 root and checks what a user
# gets (needs root and the Debian mirror; see the script).
deb-test:
	packaging/test-deb-install.sh

.PHONY: man build-tree-data install uninstall install-dkms deb deb-test
