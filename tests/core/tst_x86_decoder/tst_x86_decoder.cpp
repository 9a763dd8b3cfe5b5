// The MMIO instruction decoder (decode/decoder.h): every supported opcode
// form with each addressing mode, asserting length and operands, and the
// refusals with their messages and bytes.
#include <decode/decoder.h>

#include <QtTest>

using namespace v3;
using namespace v3::decode;

Q_DECLARE_METATYPE(v3::decode::CpuMode)

namespace {

constexpr uint8_t N = kNoRegister;

QByteArray hex(const char* text) {
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

struct Expected {
    Operation operation;
    OperandForm form;
    int length;
    int operand_size;
    int memory_size;
    x86::SegmentIndex segment;
    uint8_t base;
    uint8_t index;
    int scale;
    int64_t displacement;
    int address_size;
    int reg = 0;
    bool high_byte = false;
    uint64_t immediate = 0;
    bool rip_relative = false;
};

const char* formName(OperandForm f) {
    switch (f) {
    case OperandForm::MemoryRegister:
        return "MemoryRegister";
    case OperandForm::RegisterMemory:
        return "RegisterMemory";
    case OperandForm::MemoryImmediate:
        return "MemoryImmediate";
    case OperandForm::Memory:
        return "Memory";
    case OperandForm::String:
        return "String";
    }
    return "?";
}

} // namespace

Q_DECLARE_METATYPE(Expected)

class TestX86Decoder : public QObject {
    Q_OBJECT

    static void row(const char* name, CpuMode mode, const char* bytes, Expected e) {
        QTest::newRow(name) << mode << hex(bytes) << e;
    }

private slots:
    void decodesForms_data() {
        QTest::addColumn<CpuMode>("mode");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<Expected>("expected");
        using O = Operation;
        using F = OperandForm;
        const auto M16 = CpuMode::Bits16, M32 = CpuMode::Bits32, M64 = CpuMode::Bits64;
        const auto DS = x86::DS, SS = x86::SS, ES = x86::ES, GS = x86::GS, CS = x86::CS;
        const uint8_t AX = x86::RAX, CX = x86::RCX, DX = x86::RDX, BX = x86::RBX, SP = x86::RSP,
                      BP = x86::RBP, SI = x86::RSI, DI = x86::RDI;

        // ---- 16-bit addressing ----
        row("16: mov ax,[bx+si+5]", M16, "8b 40 05",
            {O::Mov, F::RegisterMemory, 3, 2, 2, DS, BX, SI, 1, 5, 2, AX});
        row("16: mov [bp+si-2],ah", M16, "88 62 fe",
            {O::Mov, F::MemoryRegister, 3, 1, 1, SS, BP, SI, 1, -2, 2, AX, true});
        row("16: mov bx,[0x1234]", M16, "8b 1e 34 12",
            {O::Mov, F::RegisterMemory, 4, 2, 2, DS, N, N, 1, 0x1234, 2, BX});
        row("16: mov ax,es:[bx+0x1000]", M16, "26 8b 87 00 10",
            {O::Mov, F::RegisterMemory, 5, 2, 2, ES, BX, N, 1, 0x1000, 2, AX});
        row("16: mov [bp+di+0x8000],dx (disp16 sign)", M16, "89 93 00 80",
            {O::Mov, F::MemoryRegister, 4, 2, 2, SS, BP, DI, 1, -0x8000, 2, DX});
        row("16: mov [bp+0],cl", M16, "88 4e 00",
            {O::Mov, F::MemoryRegister, 3, 1, 1, SS, BP, N, 1, 0, 2, CX});
        row("16: mov ds:[bp+0],cl", M16, "3e 88 4e 00",
            {O::Mov, F::MemoryRegister, 4, 1, 1, DS, BP, N, 1, 0, 2, CX});
        row("16: mov [bx],eax (66)", M16, "66 89 07",
            {O::Mov, F::MemoryRegister, 3, 4, 4, DS, BX, N, 1, 0, 2, AX});
        row("16: mov ax,[ebx+ecx*4] (67)", M16, "67 8b 04 8b",
            {O::Mov, F::RegisterMemory, 4, 2, 2, DS, BX, CX, 4, 0, 4, AX});
        row("16: mov byte [bp+2],0x7f", M16, "c6 46 02 7f",
            {O::Mov, F::MemoryImmediate, 4, 1, 1, SS, BP, N, 1, 2, 2, 0, false, 0x7f});
        row("16: mov word [di],0x8001", M16, "c7 05 01 80",
            {O::Mov, F::MemoryImmediate, 4, 2, 2, DS, DI, N, 1, 0, 2, 0, false,
             0xffffffffffff8001ull});
        row("16: mov ax,[0x8000] (moffs16)", M16, "a1 00 80",
            {O::Mov, F::RegisterMemory, 3, 2, 2, DS, N, N, 1, 0x8000, 2, AX});
        row("16: rep movsb", M16, "f3 a4", {O::Movs, F::String, 2, 1, 1, DS, SI, N, 1, 0, 2, AX});
        row("16: stosw", M16, "ab", {O::Stos, F::String, 1, 2, 2, ES, DI, N, 1, 0, 2, AX});
        row("16: es lodsd (66, override)", M16, "26 66 ad",
            {O::Lods, F::String, 3, 4, 4, ES, SI, N, 1, 0, 2, AX});

        // ---- 32-bit addressing ----
        row("32: mov eax,[ebx+ecx*4+0x10]", M32, "8b 44 8b 10",
            {O::Mov, F::RegisterMemory, 4, 4, 4, DS, BX, CX, 4, 0x10, 4, AX});
        row("32: mov [esp],eax", M32, "89 04 24",
            {O::Mov, F::MemoryRegister, 3, 4, 4, SS, SP, N, 1, 0, 4, AX});
        row("32: mov eax,[0x1000] (SIB no base, no index)", M32, "8b 04 25 00 10 00 00",
            {O::Mov, F::RegisterMemory, 7, 4, 4, DS, N, N, 1, 0x1000, 4, AX});
        row("32: mov eax,[esi*8+0xfee00000]", M32, "8b 04 f5 00 00 e0 fe",
            {O::Mov, F::RegisterMemory, 7, 4, 4, DS, N, SI, 8, -0x1200000, 4, AX});
        row("32: mov eax,[0xfee00000] (not RIP-relative)", M32, "8b 05 00 00 e0 fe",
            {O::Mov, F::RegisterMemory, 6, 4, 4, DS, N, N, 1, -0x1200000, 4, AX});
        row("32: mov edi,[ebp-8] (disp32)", M32, "8b bd f8 ff ff ff",
            {O::Mov, F::RegisterMemory, 6, 4, 4, SS, BP, N, 1, -8, 4, DI});
        row("32: mov dword [0xfec00000],1", M32, "c7 05 00 00 c0 fe 01 00 00 00",
            {O::Mov, F::MemoryImmediate, 10, 4, 4, DS, N, N, 1, -0x1400000, 4, 0, false, 1});
        row("32: mov word [eax],0x1234", M32, "66 c7 00 34 12",
            {O::Mov, F::MemoryImmediate, 5, 2, 2, DS, AX, N, 1, 0, 4, 0, false, 0x1234});
        row("32: mov [bx+si],al (67)", M32, "67 88 00",
            {O::Mov, F::MemoryRegister, 3, 1, 1, DS, BX, SI, 1, 0, 2, AX});
        row("32: mov [0x1000],eax (moffs32)", M32, "a3 00 10 00 00",
            {O::Mov, F::MemoryRegister, 5, 4, 4, DS, N, N, 1, 0x1000, 4, AX});
        row("32: mov al,fs:[0x20] (moffs)", M32, "64 a0 20 00 00 00",
            {O::Mov, F::RegisterMemory, 6, 1, 1, x86::FS, N, N, 1, 0x20, 4, AX});
        row("32: movzx eax,byte [ebx+1]", M32, "0f b6 43 01",
            {O::Movzx, F::RegisterMemory, 4, 4, 1, DS, BX, N, 1, 1, 4, AX});
        row("32: movzx ecx,word [esi]", M32, "0f b7 0e",
            {O::Movzx, F::RegisterMemory, 3, 4, 2, DS, SI, N, 1, 0, 4, CX});
        row("32: movsx eax,word [esi]", M32, "0f bf 06",
            {O::Movsx, F::RegisterMemory, 3, 4, 2, DS, SI, N, 1, 0, 4, AX});
        row("32: movsx dx,byte [esi] (66)", M32, "66 0f be 16",
            {O::Movsx, F::RegisterMemory, 4, 2, 1, DS, SI, N, 1, 0, 4, DX});
        row("32: add [eax],cl", M32, "00 08",
            {O::Add, F::MemoryRegister, 2, 1, 1, DS, AX, N, 1, 0, 4, CX});
        row("32: or [eax],ecx", M32, "09 08",
            {O::Or, F::MemoryRegister, 2, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: adc cl,[eax]", M32, "12 08",
            {O::Adc, F::RegisterMemory, 2, 1, 1, DS, AX, N, 1, 0, 4, CX});
        row("32: sbb [eax],ecx", M32, "19 08",
            {O::Sbb, F::MemoryRegister, 2, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: and ch,[eax]", M32, "22 28",
            {O::And, F::RegisterMemory, 2, 1, 1, DS, AX, N, 1, 0, 4, CX, true});
        row("32: sub ecx,[eax]", M32, "2b 08",
            {O::Sub, F::RegisterMemory, 2, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: xor [eax],bl", M32, "30 18",
            {O::Xor, F::MemoryRegister, 2, 1, 1, DS, AX, N, 1, 0, 4, BX});
        row("32: cmp ecx,[eax]", M32, "3b 08",
            {O::Cmp, F::RegisterMemory, 2, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: cmp byte [eax],5", M32, "80 38 05",
            {O::Cmp, F::MemoryImmediate, 3, 1, 1, DS, AX, N, 1, 0, 4, 0, false, 5});
        row("32: add byte [eax],0x80 (82 alias)", M32, "82 00 80",
            {O::Add, F::MemoryImmediate, 3, 1, 1, DS, AX, N, 1, 0, 4, 0, false,
             0xffffffffffffff80ull});
        row("32: or dword [eax+4],0x80000000", M32, "81 48 04 00 00 00 80",
            {O::Or, F::MemoryImmediate, 7, 4, 4, DS, AX, N, 1, 4, 4, 1, false,
             0xffffffff80000000ull});
        row("32: and dword [eax+8],-16", M32, "83 60 08 f0",
            {O::And, F::MemoryImmediate, 4, 4, 4, DS, AX, N, 1, 8, 4, 4, false,
             0xfffffffffffffff0ull});
        row("32: sub word [eax],0x1234", M32, "66 81 28 34 12",
            {O::Sub, F::MemoryImmediate, 5, 2, 2, DS, AX, N, 1, 0, 4, 5, false, 0x1234});
        row("32: xor dword [eax],1", M32, "83 30 01",
            {O::Xor, F::MemoryImmediate, 3, 4, 4, DS, AX, N, 1, 0, 4, 6, false, 1});
        row("32: test [edx],eax", M32, "85 02",
            {O::Test, F::MemoryRegister, 2, 4, 4, DS, DX, N, 1, 0, 4, AX});
        row("32: test [edx],bh", M32, "84 3a",
            {O::Test, F::MemoryRegister, 2, 1, 1, DS, DX, N, 1, 0, 4, BX, true});
        row("32: test byte [eax],0x80", M32, "f6 00 80",
            {O::Test, F::MemoryImmediate, 3, 1, 1, DS, AX, N, 1, 0, 4, 0, false,
             0xffffffffffffff80ull});
        row("32: test dword [eax],0x100", M32, "f7 00 00 01 00 00",
            {O::Test, F::MemoryImmediate, 6, 4, 4, DS, AX, N, 1, 0, 4, 0, false, 0x100});
        row("32: xchg [ebx],eax", M32, "87 03",
            {O::Xchg, F::MemoryRegister, 2, 4, 4, DS, BX, N, 1, 0, 4, AX});
        row("32: xchg [ebx],ah", M32, "86 23",
            {O::Xchg, F::MemoryRegister, 2, 1, 1, DS, BX, N, 1, 0, 4, AX, true});
        row("32: not byte [eax]", M32, "f6 10",
            {O::Not, F::Memory, 2, 1, 1, DS, AX, N, 1, 0, 4, 2});
        row("32: neg dword [eax]", M32, "f7 18",
            {O::Neg, F::Memory, 2, 4, 4, DS, AX, N, 1, 0, 4, 3});
        row("32: inc byte [eax]", M32, "fe 00",
            {O::Inc, F::Memory, 2, 1, 1, DS, AX, N, 1, 0, 4, 0});
        row("32: dec dword [eax]", M32, "ff 08",
            {O::Dec, F::Memory, 2, 4, 4, DS, AX, N, 1, 0, 4, 1});
        row("32: lock add [eax],ecx", M32, "f0 01 08",
            {O::Add, F::MemoryRegister, 3, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: bt [eax],ecx", M32, "0f a3 08",
            {O::Bt, F::MemoryRegister, 3, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: lock bts [eax],ecx", M32, "f0 0f ab 08",
            {O::Bts, F::MemoryRegister, 4, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: btr [eax],cx", M32, "66 0f b3 08",
            {O::Btr, F::MemoryRegister, 4, 2, 2, DS, AX, N, 1, 0, 4, CX});
        row("32: btc [eax],ecx", M32, "0f bb 08",
            {O::Btc, F::MemoryRegister, 3, 4, 4, DS, AX, N, 1, 0, 4, CX});
        row("32: bts dword [eax],5", M32, "0f ba 28 05",
            {O::Bts, F::MemoryImmediate, 4, 4, 4, DS, AX, N, 1, 0, 4, 5, false, 5});
        row("32: bt dword [eax],0x9f (imm8 unsigned)", M32, "0f ba 20 9f",
            {O::Bt, F::MemoryImmediate, 4, 4, 4, DS, AX, N, 1, 0, 4, 4, false, 0x9f});
        row("32: rep stosd", M32, "f3 ab", {O::Stos, F::String, 2, 4, 4, ES, DI, N, 1, 0, 4, AX});
        row("32: cs lodsb", M32, "2e ac", {O::Lods, F::String, 2, 1, 1, CS, SI, N, 1, 0, 4, AX});
        row("32: repne movsw (16-bit addresses)", M32, "f2 66 67 a5",
            {O::Movs, F::String, 4, 2, 2, DS, SI, N, 1, 0, 2, AX});

        // ---- 64-bit ----
        row("64: mov eax,[rip+0x10]", M64, "8b 05 10 00 00 00",
            {O::Mov, F::RegisterMemory, 6, 4, 4, DS, N, N, 1, 0x10, 8, AX, false, 0, true});
        row("64: mov rax,[rip-16]", M64, "48 8b 05 f0 ff ff ff",
            {O::Mov, F::RegisterMemory, 7, 8, 8, DS, N, N, 1, -16, 8, AX, false, 0, true});
        row("64: mov dword [rip+0x100],7", M64, "c7 05 00 01 00 00 07 00 00 00",
            {O::Mov, F::MemoryImmediate, 10, 4, 4, DS, N, N, 1, 0x100, 8, 0, false, 7, true});
        row("64: mov [r12],eax", M64, "41 89 04 24",
            {O::Mov, F::MemoryRegister, 4, 4, 4, DS, x86::R12, N, 1, 0, 8, AX});
        row("64: mov [r13+0],eax", M64, "41 89 45 00",
            {O::Mov, F::MemoryRegister, 4, 4, 4, DS, x86::R13, N, 1, 0, 8, AX});
        row("64: mov eax,[rax+r13*4]", M64, "42 8b 04 a8",
            {O::Mov, F::RegisterMemory, 4, 4, 4, DS, AX, x86::R13, 4, 0, 8, AX});
        row("64: mov eax,[rax+r12*2] (R12 can index)", M64, "42 8b 04 60",
            {O::Mov, F::RegisterMemory, 4, 4, 4, DS, AX, x86::R12, 2, 0, 8, AX});
        row("64: mov r9b,[r8+1]", M64, "45 8a 48 01",
            {O::Mov, F::RegisterMemory, 4, 1, 1, DS, x86::R8, N, 1, 1, 8, x86::R9});
        row("64: mov [rax],spl (REX 40)", M64, "40 88 20",
            {O::Mov, F::MemoryRegister, 3, 1, 1, DS, AX, N, 1, 0, 8, SP});
        row("64: mov [rax],ah (no REX)", M64, "88 20",
            {O::Mov, F::MemoryRegister, 2, 1, 1, DS, AX, N, 1, 0, 8, AX, true});
        row("64: mov r15,[rsp+8]", M64, "4c 8b 7c 24 08",
            {O::Mov, F::RegisterMemory, 5, 8, 8, SS, SP, N, 1, 8, 8, x86::R15});
        row("64: movsxd rax,dword [rdi]", M64, "48 63 07",
            {O::Movsx, F::RegisterMemory, 3, 8, 4, DS, DI, N, 1, 0, 8, AX});
        row("64: movsx rcx,byte [rax]", M64, "48 0f be 08",
            {O::Movsx, F::RegisterMemory, 4, 8, 1, DS, AX, N, 1, 0, 8, CX});
        row("64: movzx r10d,word [r11]", M64, "45 0f b7 13",
            {O::Movzx, F::RegisterMemory, 4, 4, 2, DS, x86::R11, N, 1, 0, 8, x86::R10});
        row("64: mov eax,[ebx] (67)", M64, "67 8b 03",
            {O::Mov, F::RegisterMemory, 3, 4, 4, DS, BX, N, 1, 0, 4, AX});
        row("64: mov rax,gs:[0x28]", M64, "65 48 8b 04 25 28 00 00 00",
            {O::Mov, F::RegisterMemory, 9, 8, 8, GS, N, N, 1, 0x28, 8, AX});
        row("64: mov rax,[moffs64]", M64, "48 a1 88 77 66 55 44 33 22 11",
            {O::Mov, F::RegisterMemory, 10, 8, 8, DS, N, N, 1, 0x1122334455667788ll, 8, AX});
        row("64: mov [moffs32],al (67)", M64, "67 a2 00 00 b0 fe",
            {O::Mov, F::MemoryRegister, 6, 1, 1, DS, N, N, 1, 0xfeb00000ll, 4, AX});
        row("64: mov qword [rax],-1", M64, "48 c7 00 ff ff ff ff",
            {O::Mov, F::MemoryImmediate, 7, 8, 8, DS, AX, N, 1, 0, 8, 0, false, ~0ull});
        row("64: or qword [rax],0x10 (83)", M64, "48 83 08 10",
            {O::Or, F::MemoryImmediate, 4, 8, 8, DS, AX, N, 1, 0, 8, 1, false, 0x10});
        row("64: stosq", M64, "48 ab", {O::Stos, F::String, 2, 8, 8, ES, DI, N, 1, 0, 8, AX});
        row("64: rep movsq", M64, "f3 48 a5",
            {O::Movs, F::String, 3, 8, 8, DS, SI, N, 1, 0, 8, AX});
        row("64: rep movsb with 32-bit addresses", M64, "67 f3 a4",
            {O::Movs, F::String, 3, 1, 1, DS, SI, N, 1, 0, 4, AX});
        row("64: second REX wins", M64, "48 41 8b 00",
            {O::Mov, F::RegisterMemory, 4, 4, 4, DS, x86::R8, N, 1, 0, 8, AX});
        row("64: REX before a legacy prefix is ignored", M64, "41 66 8b 00",
            {O::Mov, F::RegisterMemory, 4, 2, 2, DS, AX, N, 1, 0, 8, AX});
        row("64: REX.W beats 66", M64, "66 48 89 08",
            {O::Mov, F::MemoryRegister, 4, 8, 8, DS, AX, N, 1, 0, 8, CX});
    }

    void decodesForms() {
        QFETCH(CpuMode, mode);
        QFETCH(QByteArray, bytes);
        QFETCH(Expected, expected);
        // Trailing bytes (the next instruction) must not change the result.
        QByteArray padded = bytes + QByteArray(15, char(0x90));
        FailureDetail detail;
        auto r = decode_instruction(reinterpret_cast<const u8*>(padded.constData()),
                                    usize(padded.size()), mode, &detail);
        QVERIFY2(!r.is_error(), detail.text);
        const Instruction& i = r.value();
        QCOMPARE(QString(operation_name(i.operation)), QString(operation_name(expected.operation)));
        QCOMPARE(QString(formName(i.form)), QString(formName(expected.form)));
        QCOMPARE(int(i.length), expected.length);
        QCOMPARE(int(i.length), int(bytes.size()));
        QCOMPARE(int(i.operand_size), expected.operand_size);
        QCOMPARE(int(i.memory_size), expected.memory_size);
        QCOMPARE(int(i.memory.segment), int(expected.segment));
        QCOMPARE(int(i.memory.base), int(expected.base));
        QCOMPARE(int(i.memory.index), int(expected.index));
        QCOMPARE(int(i.memory.scale), expected.scale);
        QCOMPARE(qint64(i.memory.displacement), qint64(expected.displacement));
        QCOMPARE(int(i.memory.address_size), expected.address_size);
        QCOMPARE(i.memory.rip_relative, expected.rip_relative);
        if (i.form == OperandForm::MemoryImmediate || i.form == OperandForm::Memory) {
            // ModRM.reg selects the operation here; the register is unused.
            QCOMPARE(i.immediate, expected.immediate);
        } else {
            QCOMPARE(int(i.reg.number), expected.reg);
            QCOMPARE(i.reg.high_byte, expected.high_byte);
        }
        // Exactly `length` bytes suffice.
        auto exact = decode_instruction(reinterpret_cast<const u8*>(bytes.constData()),
                                        usize(bytes.size()), mode);
        QVERIFY(!exact.is_error());
    }

    void recordsPrefixes() {
        QByteArray b = hex("f0 f3 64 48 81 00 01 00 00 00");
        auto r = decode_instruction(reinterpret_cast<const u8*>(b.constData()), usize(b.size()),
                                    CpuMode::Bits64);
        QVERIFY(!r.is_error());
        const Prefixes& p = r.value().prefixes;
        QVERIFY(p.lock);
        QVERIFY(p.rep);
        QVERIFY(!p.repne);
        QVERIFY(p.has_segment);
        QCOMPARE(int(p.segment), int(x86::FS));
        QCOMPARE(int(p.rex), 0x48);
        QVERIFY(!p.operand_size);
        QVERIFY(!p.address_size);
        QCOMPARE(int(r.value().length), 10);
        QVERIFY(r.value().repeated());

        b = hex("f3 f2 66 67 a5");
        auto s = decode_instruction(reinterpret_cast<const u8*>(b.constData()), usize(b.size()),
                                    CpuMode::Bits32);
        QVERIFY(!s.is_error());
        QVERIFY(s.value().prefixes.repne); // the last of F2/F3 counts
        QVERIFY(!s.value().prefixes.rep);
        QVERIFY(s.value().prefixes.operand_size);
        QVERIFY(s.value().prefixes.address_size);
        QVERIFY(s.value().repeated());
    }

    void computesEffectiveAddresses() {
        x86::Registers regs;
        auto decoded = [](const char* bytes, CpuMode mode) {
            QByteArray b = hex(bytes);
            auto r = decode_instruction(reinterpret_cast<const u8*>(b.constData()), usize(b.size()),
                                        mode);
            if (r.is_error())
                qFatal("decode failed: %s", r.error().message);
            return r.release_value();
        };
        // 16-bit: [bx+si+5] wraps at 64 KB.
        regs.gpr[x86::RBX] = 0x1234fff0;
        regs.gpr[x86::RSI] = 0x20;
        QCOMPARE(effective_address(decoded("8b 40 05", CpuMode::Bits16), regs), uint64_t(0x15));
        // 32-bit SIB with scale and a negative displacement.
        regs.gpr[x86::RBX] = 0x1000;
        regs.gpr[x86::RCX] = 3;
        QCOMPARE(effective_address(decoded("8b 44 8b f0", CpuMode::Bits32), regs),
                 uint64_t(0x1000 + 12 - 16));
        // 32-bit addresses wrap at 4 GB.
        regs.gpr[x86::RBX] = 0xfffffff0;
        QCOMPARE(effective_address(decoded("8b 43 20", CpuMode::Bits32), regs), uint64_t(0x10));
        // RIP-relative: from the end of the instruction.
        regs.rip = 0xffffffff81000000ull;
        QCOMPARE(effective_address(decoded("8b 05 10 00 00 00", CpuMode::Bits64), regs),
                 uint64_t(0xffffffff81000016ull));
        QCOMPARE(effective_address(decoded("c7 05 00 01 00 00 07 00 00 00", CpuMode::Bits64), regs),
                 uint64_t(0xffffffff8100010aull));
        // REX.X index, 64-bit.
        regs.gpr[x86::RAX] = 0xffff880000000000ull;
        regs.gpr[x86::R13] = 0x40;
        QCOMPARE(effective_address(decoded("42 8b 04 a8", CpuMode::Bits64), regs),
                 uint64_t(0xffff880000000100ull));
        // 67 in 64-bit mode: 32-bit address.
        regs.gpr[x86::RBX] = 0xffffffff00001000ull;
        QCOMPARE(effective_address(decoded("67 8b 03", CpuMode::Bits64), regs), uint64_t(0x1000));
        // moffs64 is the full address.
        QCOMPARE(effective_address(decoded("48 a1 88 77 66 55 44 33 22 11", CpuMode::Bits64), regs),
                 uint64_t(0x1122334455667788ull));
    }

    void refusals_data() {
        QTest::addColumn<CpuMode>("mode");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("shownBytes");
        const int notsup = int(Errno::NotSup);
        QTest::newRow("ud2") << CpuMode::Bits32 << hex("0f 0b") << notsup
                             << "unsupported instruction"
                             << "(bytes: 0f 0b)";
        QTest::newRow("hlt") << CpuMode::Bits64 << hex("f4") << notsup << "unsupported instruction"
                             << "(bytes: f4)";
        QTest::newRow("register form")
            << CpuMode::Bits32 << hex("8b c1") << notsup << "register-only form"
            << "(bytes: 8b c1)";
        QTest::newRow("lock mov") << CpuMode::Bits32 << hex("f0 89 08") << notsup << "LOCK prefix"
                                  << "(bytes: f0 89 08)";
        QTest::newRow("lock cmp") << CpuMode::Bits32 << hex("f0 39 08") << notsup << "LOCK prefix"
                                  << "(bytes: f0 39 08)";
        QTest::newRow("lock add reg,mem")
            << CpuMode::Bits32 << hex("f0 03 08") << notsup << "LOCK prefix"
            << "(bytes: f0 03 08)";
        QTest::newRow("arpl outside 64-bit")
            << CpuMode::Bits32 << hex("63 00") << notsup << "unsupported instruction"
            << "(bytes: 63)";
        QTest::newRow("82 in 64-bit mode")
            << CpuMode::Bits64 << hex("82 00 01") << notsup << "unsupported instruction"
            << "(bytes: 82)";
        QTest::newRow("mul") << CpuMode::Bits32 << hex("f7 20") << notsup
                             << "unsupported instruction"
                             << "(bytes: f7 20)";
        QTest::newRow("call [eax]")
            << CpuMode::Bits32 << hex("ff 10") << notsup << "unsupported instruction"
            << "(bytes: ff 10)";
        QTest::newRow("c7 /1") << CpuMode::Bits32 << hex("c7 08 00 00 00 00") << notsup
                               << "unsupported instruction"
                               << "(bytes: c7 08)";
        QTest::newRow("bt group /0")
            << CpuMode::Bits32 << hex("0f ba 00 01") << notsup << "unsupported instruction"
            << "(bytes: 0f ba 00)";
        QTest::newRow("truncated disp32")
            << CpuMode::Bits32 << hex("8b 80 00 00") << int(Errno::Range)
            << "continues past the bytes available"
            << "(bytes: 8b 80 00 00)";
        QTest::newRow("truncated immediate")
            << CpuMode::Bits64 << hex("48 c7 00 ff") << int(Errno::Range)
            << "continues past the bytes available"
            << "(bytes: 48 c7 00 ff)";
        QTest::newRow("only prefixes") << CpuMode::Bits16 << hex("66 67") << int(Errno::Range)
                                       << "continues past the bytes available"
                                       << "(bytes: 66 67)";
        QTest::newRow("longer than 15 bytes")
            << CpuMode::Bits32 << hex("66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 08")
            << int(Errno::Inval) << "longer than 15 bytes"
            << "(bytes: 66 66 66 66 66 66 66 66 66 66 66 66 66 66 89)";
    }

    void refusals() {
        QFETCH(CpuMode, mode);
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QFETCH(QString, message);
        QFETCH(QString, shownBytes);
        FailureDetail detail;
        auto r = decode_instruction(reinterpret_cast<const u8*>(bytes.constData()),
                                    usize(bytes.size()), mode, &detail);
        QVERIFY(r.is_error());
        QCOMPARE(int(r.error().code), code);
        QVERIFY2(QString(r.error().message).contains(message), r.error().message);
        QVERIFY2(QString(detail.text).startsWith(r.error().message), detail.text);
        QVERIFY2(QString(detail.text).endsWith(shownBytes), detail.text);
    }

    void noBytesIsAnError() {
        FailureDetail detail;
        auto r = decode_instruction(nullptr, 0, CpuMode::Bits32, &detail);
        QVERIFY(r.is_error());
        QCOMPARE(QString(detail.text), QString("no instruction bytes to decode"));
    }
};

QTEST_APPLESS_MAIN(TestX86Decoder)
#include "tst_x86_decoder.moc"
