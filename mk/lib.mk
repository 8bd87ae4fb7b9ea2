# SPDX-License-Identifier: GPL-2.0-or-later
# libphypdump as an installable library (for makedumpfile --phyp-release and
# any other dump writer): the public headers of include/phypdump/, a shared
# library with a soname and a symbol map (lib/libphypdump.map), a static one
# that exports the same symbols and nothing else, and libphypdump.pc.
#   make libphypdump     both libraries, under $(BUILD)/pkg/
#   make install-lib     (part of make install) DESTDIR, PREFIX, LIBDIR, INCLUDEDIR
#   make check-lib       installs into a scratch DESTDIR, checks the exported
#                        symbols, builds and runs a program with pkg-config
# The project's own programs keep linking $(LIBPD) (mk/core.mk), which has
# every lib/ symbol.  What lib/ links against is LIB_LDLIBS (mk/core.mk).

LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

LIBPD_HDRS   := $(sort $(wildcard include/phypdump/*.h))
LIBPD_MAP    := lib/libphypdump.map
LIBPD_SONAME := libphypdump.so.0
LIBPD_REAL   := libphypdump.so.$(VERSION)
PKG          := $(BUILD)/pkg
LIBPD_SO     := $(PKG)/$(LIBPD_REAL)
LIBPD_A      := $(PKG)/libphypdump.a
LIB_PIC_OBJS := $(LIB_SRCS:%.c=$(BUILD)/pic/%.o)

ALL_TARGETS     += libphypdump
CHECK_TARGETS   += check-lib
INSTALL_TARGETS += install-lib

# The public headers left lib/: whatever was built from lib/*.h also depends
# on them.
$(LIB_OBJS) $(LIB_SAN_OBJS) $(CMD_OBJS) $(CMD_SAN_OBJS) $(UNIT_BINS) $(UNIT_SAN_BINS) \
	$(FUZZ_BINS) $(PPC_OBJS): $(LIBPD_HDRS)

$(BUILD)/pic/%.o: %.c $(wildcard lib/*.h) $(LIBPD_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC pic  $<")
	$(Q)$(CC) $(CFLAGS) -fPIC -c $< -o $@

# The exported names, one a line, from the map.
$(PKG)/public.syms: $(LIBPD_MAP)
	@mkdir -p $(dir $@)
	$(Q)sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' $< | sort >$@

$(LIBPD_SO): $(LIB_PIC_OBJS) $(LIBPD_MAP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -fPIC -shared -Wl,-soname,$(LIBPD_SONAME) \
		-Wl,--version-script=$(LIBPD_MAP) -Wl,--no-undefined -Wl,-z,defs \
		-o $@ $(LIB_PIC_OBJS) $(LDFLAGS) $(LIB_LDLIBS)
	$(Q)ln -sf $(LIBPD_REAL) $(PKG)/$(LIBPD_SONAME)
	$(Q)ln -sf $(LIBPD_SONAME) $(PKG)/libphypdump.so

# One relocatable object in which only the public names stay global, so that
# a static link sees the same API as the shared one and lib/'s internal names
# (pd_ledger_*, pd_journal_*, ...) cannot clash with the program's.
$(LIBPD_A): $(LIB_PIC_OBJS) $(PKG)/public.syms
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(CC) -r -nostdlib -o $(PKG)/libphypdump.o $(LIB_PIC_OBJS)
	$(Q)$(OBJCOPY) --keep-global-symbols=$(PKG)/public.syms $(PKG)/libphypdump.o
	$(Q)rm -f $@ && $(AR) rcs $@ $(PKG)/libphypdump.o

.PHONY: libphypdump install-lib check-lib
libphypdump: $(LIBPD_SO) $(LIBPD_A)

install-lib: libphypdump
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/phypdump $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIBPD_SO) $(DESTDIR)$(LIBDIR)/$(LIBPD_REAL)
	ln -sf $(LIBPD_REAL) $(DESTDIR)$(LIBDIR)/$(LIBPD_SONAME)
	ln -sf $(LIBPD_SONAME) $(DESTDIR)$(LIBDIR)/libphypdump.so
	install -m 0644 $(LIBPD_A) $(DESTDIR)$(LIBDIR)/libphypdump.a
	install -m 0644 $(LIBPD_HDRS) $(DESTDIR)$(INCLUDEDIR)/phypdump/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@LIB_LDLIBS@|$(strip $(LIB_LDLIBS))|' \
	    lib/libphypdump.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libphypdump.pc

# A fixed prefix, so the test does not depend on the caller's PREFIX/LIBDIR.
LIB_CHECK_DIR := $(abspath $(BUILD))/check-lib
check-lib: libphypdump $(PKG)/public.syms
	@rm -rf $(LIB_CHECK_DIR)
	@$(MAKE) --no-print-directory -s install-lib DESTDIR=$(LIB_CHECK_DIR)/root \
		PREFIX=/opt/phypdump LIBDIR=/opt/phypdump/lib64 INCLUDEDIR=/opt/phypdump/include \
		PKGCONFIGDIR=/opt/phypdump/lib64/pkgconfig >/dev/null
	@CC="$(CC)" bash tests/lib-install/run $(LIB_CHECK_DIR) /opt/phypdump/lib64 \
		/opt/phypdump/include $(PKG)/public.syms $(VERSION) $(LIBPD_SONAME) $(LIBPD_HDRS)
