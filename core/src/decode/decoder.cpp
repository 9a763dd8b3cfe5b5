#include "decode/decoder.h"

namespace v3::decode {
namespace {

using x86::Gpr;

// The ALU operation in opcode bits 5:3 (00-3F) and in ModRM.reg of group 1
// (80-83): the same order in both.
constexpr Operation kAluOperations[8] = {Operation::Add, Operation::Or,  Operation::Adc,
                                         Operation::Sbb, Operation::And, Operation::Sub,
                                         Operation::Xor, Operation::Cmp};

// 16-bit ModRM memory forms (rm = 0..7): [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI]
// [DI] [BP] [BX].
constexpr u8 kBase16[8] = {x86::RBX, x86::RBX, x86::RBP, x86::RBP,
                           x86::RSI, x86::RDI, x86::RBP, x86::RBX};
constexpr u8 kIndex16[8] = {x86::RSI,    x86::RDI,    x86::RSI,    x86::RDI,
                            kNoRegister, kNoRegister, kNoRegister, kNoRegister};

constexpr u8 kRexW = 0x8, kRexR = 0x4, kRexX = 0x2, kRexB = 0x1;

i64 sign_extend(u64 value, u32 bytes) {
    unsigned shift = 64 - bytes * 8;
    return i64(value << shift) >> shift;
}

class Decoder {
public:
    Decoder(const u8* bytes, usize available, CpuMode mode, FailureDetail* detail)
        : bytes_(bytes),
          available_(available < kMaxInstructionLength ? available : kMaxInstructionLength),
          detail_(detail) {
        out_.mode = mode;
    }

    Result<Instruction> run() {
        if (!bytes_ || available_ == 0)
            return fail(Errno::Range, "no instruction bytes to decode");
        TRY(read_prefixes());
        u8 opcode = TRY(next());
        if (opcode == 0x0f)
            TRY(two_byte_opcode(TRY(next())));
        else
            TRY(one_byte_opcode(opcode));
        TRY(check_lock());
        out_.length = u8(at_);
        return out_;
    }

private:
    bool mode64() const { return out_.mode == CpuMode::Bits64; }
    u8 rex() const { return out_.prefixes.rex; }

    Error fail(Errno code, const char* message) {
        if (detail_)
            detail_->set(message, bytes_, at_ > 0 ? at_ : available_);
        return make_error(code, message);
    }

    Result<u8> next() {
        if (at_ >= available_) {
            if (available_ >= kMaxInstructionLength)
                return fail(Errno::Inval, "the instruction is longer than 15 bytes");
            // Errno::Range: the caller may fetch more bytes (or fault the fetch).
            at_ = available_;
            return fail(Errno::Range, "the instruction continues past the bytes available");
        }
        return bytes_[at_++];
    }

    Result<u64> next_little_endian(u32 count) {
        u64 value = 0;
        for (u32 i = 0; i < count; ++i)
            value |= u64(TRY(next())) << (8 * i);
        return value;
    }

    Result<void> read_prefixes() {
        Prefixes& p = out_.prefixes;
        for (;;) {
            if (at_ >= available_)
                return {}; // next() reports the missing opcode
            u8 b = bytes_[at_];
            bool legacy = true;
            switch (b) {
            case 0xf0:
                p.lock = true;
                break;
            case 0xf2:
                p.repne = true;
                p.rep = false;
                break;
            case 0xf3:
                p.rep = true;
                p.repne = false;
                break;
            case 0x66:
                p.operand_size = true;
                break;
            case 0x67:
                p.address_size = true;
                break;
            case 0x26:
                set_segment(x86::ES);
                break;
            case 0x2e:
                set_segment(x86::CS);
                break;
            case 0x36:
                set_segment(x86::SS);
                break;
            case 0x3e:
                set_segment(x86::DS);
                break;
            case 0x64:
                set_segment(x86::FS);
                break;
            case 0x65:
                set_segment(x86::GS);
                break;
            default:
                legacy = false;
            }
            if (legacy) {
                p.rex = 0; // a REX prefix counts only right before the opcode
                ++at_;
                continue;
            }
            if (mode64() && (b & 0xf0) == 0x40) {
                p.rex = b;
                ++at_;
                continue;
            }
            return {};
        }
    }

    void set_segment(x86::SegmentIndex segment) {
        out_.prefixes.has_segment = true;
        out_.prefixes.segment = segment;
    }

    u8 full_operand_size() const {
        if (mode64())
            return (rex() & kRexW) ? 8 : out_.prefixes.operand_size ? 2 : 4;
        bool big = out_.mode == CpuMode::Bits32;
        return big != out_.prefixes.operand_size ? 4 : 2;
    }

    u8 address_size() const {
        if (mode64())
            return out_.prefixes.address_size ? 4 : 8;
        bool big = out_.mode == CpuMode::Bits32;
        return big != out_.prefixes.address_size ? 4 : 2;
    }

    void set_sizes(bool byte_operation) {
        out_.operand_size = byte_operation ? 1 : full_operand_size();
        out_.memory_size = out_.operand_size;
    }

    // The register named by ModRM.reg (plus REX.R) at operand size `size`.
    void set_register(u8 number, u8 size) {
        RegisterOperand& r = out_.reg;
        // Without REX, byte registers 4-7 are AH CH DH BH; with any REX they
        // are SPL BPL SIL DIL.
        if (size == 1 && rex() == 0 && number >= 4 && number < 8) {
            r.number = number - 4;
            r.high_byte = true;
        } else {
            r.number = number;
            r.high_byte = false;
        }
    }

    void set_default_segment(x86::SegmentIndex fallback) {
        out_.memory.segment = out_.prefixes.has_segment ? out_.prefixes.segment : fallback;
    }

    // Reads ModRM (+SIB, displacement) for an instruction whose E operand
    // must be memory. Returns ModRM.reg without REX.R (the group selector).
    Result<u8> read_modrm(u8 register_size) {
        u8 modrm = TRY(next());
        u8 mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
        if (mod == 3)
            return fail(Errno::NotSup, "register-only form: the instruction has no memory operand");
        set_register(u8(reg | ((rex() & kRexR) ? 8 : 0)), register_size);
        MemoryOperand& m = out_.memory;
        m.address_size = address_size();
        if (m.address_size == 2)
            TRY(memory_16bit(mod, rm));
        else
            TRY(memory_32_64bit(mod, rm));
        return reg;
    }

    Result<void> memory_16bit(u8 mod, u8 rm) {
        MemoryOperand& m = out_.memory;
        if (mod == 0 && rm == 6) {
            m.displacement = i64(TRY(next_little_endian(2)));
            set_default_segment(x86::DS);
            return {};
        }
        m.base = kBase16[rm];
        m.index = kIndex16[rm];
        if (mod == 1)
            m.displacement = sign_extend(TRY(next_little_endian(1)), 1);
        else if (mod == 2)
            m.displacement = sign_extend(TRY(next_little_endian(2)), 2);
        set_default_segment(m.base == x86::RBP ? x86::SS : x86::DS);
        return {};
    }

    Result<void> memory_32_64bit(u8 mod, u8 rm) {
        MemoryOperand& m = out_.memory;
        bool displacement32 = mod == 2;
        if (rm == 4) {
            u8 sib = TRY(next());
            u8 index = u8(((sib >> 3) & 7) | ((rex() & kRexX) ? 8 : 0));
            m.scale = u8(1u << (sib >> 6));
            m.index = index == x86::RSP ? kNoRegister : index; // R12 can be an index
            if ((sib & 7) == 5 && mod == 0)
                displacement32 = true; // no base
            else
                m.base = u8((sib & 7) | ((rex() & kRexB) ? 8 : 0));
        } else if (rm == 5 && mod == 0) {
            displacement32 = true;
            m.rip_relative = mode64();
        } else {
            m.base = u8(rm | ((rex() & kRexB) ? 8 : 0));
        }
        if (mod == 1)
            m.displacement = sign_extend(TRY(next_little_endian(1)), 1);
        else if (displacement32)
            m.displacement = sign_extend(TRY(next_little_endian(4)), 4);
        bool stack = m.base == x86::RSP || m.base == x86::RBP;
        set_default_segment(stack ? x86::SS : x86::DS);
        return {};
    }

    // An immediate of `bytes` bytes, sign-extended.
    Result<void> read_immediate(u32 bytes) {
        out_.immediate = u64(sign_extend(TRY(next_little_endian(bytes)), bytes));
        return {};
    }

    // Iz: 16 bits for 16-bit operands, else 32 bits (sign-extended for 64).
    u32 immediate_z_size() const { return out_.operand_size == 2 ? 2 : 4; }

    Result<void> unsupported() { return fail(Errno::NotSup, "unsupported instruction"); }

    Result<void> one_byte_opcode(u8 opcode) {
        if (opcode < 0x40 && (opcode & 7) < 4)
            return alu_with_register(opcode);
        bool byte_op = !(opcode & 1);
        switch (opcode) {
        case 0x63:
            if (!mode64())
                return unsupported(); // ARPL
            // MOVSXD: sign-extends a doubleword (a word with 66) into Gv.
            out_.operation = Operation::Movsx;
            out_.form = OperandForm::RegisterMemory;
            set_sizes(false);
            out_.memory_size = out_.operand_size == 2 ? 2 : 4;
            TRY(read_modrm(out_.operand_size));
            return {};
        case 0x82:
            if (mode64())
                return unsupported();
            [[fallthrough]];
        case 0x80:
        case 0x81:
        case 0x83: {
            set_sizes(opcode != 0x81 && opcode != 0x83);
            u8 group = TRY(read_modrm(out_.operand_size));
            out_.operation = kAluOperations[group];
            out_.form = OperandForm::MemoryImmediate;
            return read_immediate(opcode == 0x81 ? immediate_z_size() : 1);
        }
        case 0x84:
        case 0x85:
            return with_register(Operation::Test, OperandForm::MemoryRegister, byte_op);
        case 0x86:
        case 0x87:
            return with_register(Operation::Xchg, OperandForm::MemoryRegister, byte_op);
        case 0x88:
        case 0x89:
            return with_register(Operation::Mov, OperandForm::MemoryRegister, byte_op);
        case 0x8a:
        case 0x8b:
            return with_register(Operation::Mov, OperandForm::RegisterMemory, byte_op);
        case 0xa0:
        case 0xa1:
        case 0xa2:
        case 0xa3:
            return moffs(opcode);
        case 0xa4:
        case 0xa5:
            return string_operation(Operation::Movs, byte_op);
        case 0xaa:
        case 0xab:
            return string_operation(Operation::Stos, byte_op);
        case 0xac:
        case 0xad:
            return string_operation(Operation::Lods, byte_op);
        case 0xc6:
        case 0xc7: {
            set_sizes(byte_op);
            if (TRY(read_modrm(out_.operand_size)) != 0)
                return unsupported();
            out_.operation = Operation::Mov;
            out_.form = OperandForm::MemoryImmediate;
            return read_immediate(byte_op ? 1 : immediate_z_size());
        }
        case 0xf6:
        case 0xf7:
            return group3(byte_op);
        case 0xfe:
        case 0xff:
            return group4_5(byte_op);
        default:
            return unsupported();
        }
    }

    Result<void> two_byte_opcode(u8 opcode) {
        switch (opcode) {
        case 0xb6:
        case 0xb7:
        case 0xbe:
        case 0xbf:
            out_.operation = opcode < 0xb8 ? Operation::Movzx : Operation::Movsx;
            out_.form = OperandForm::RegisterMemory;
            set_sizes(false);
            out_.memory_size = (opcode & 1) ? 2 : 1;
            TRY(read_modrm(out_.operand_size));
            return {};
        case 0xa3:
            return with_register(Operation::Bt, OperandForm::MemoryRegister, false);
        case 0xab:
            return with_register(Operation::Bts, OperandForm::MemoryRegister, false);
        case 0xb3:
            return with_register(Operation::Btr, OperandForm::MemoryRegister, false);
        case 0xbb:
            return with_register(Operation::Btc, OperandForm::MemoryRegister, false);
        case 0xba: {
            set_sizes(false);
            u8 group = TRY(read_modrm(out_.operand_size));
            constexpr Operation kBitOperations[4] = {Operation::Bt, Operation::Bts, Operation::Btr,
                                                     Operation::Btc};
            if (group < 4)
                return unsupported();
            out_.operation = kBitOperations[group - 4];
            out_.form = OperandForm::MemoryImmediate;
            // The bit offset is an unsigned imm8, taken modulo the operand width.
            out_.immediate = TRY(next());
            return {};
        }
        default:
            return unsupported();
        }
    }

    Result<void> alu_with_register(u8 opcode) {
        OperandForm form = (opcode & 2) ? OperandForm::RegisterMemory : OperandForm::MemoryRegister;
        return with_register(kAluOperations[opcode >> 3], form, !(opcode & 1));
    }

    Result<void> with_register(Operation operation, OperandForm form, bool byte_op) {
        out_.operation = operation;
        out_.form = form;
        set_sizes(byte_op);
        TRY(read_modrm(out_.operand_size));
        return {};
    }

    // A0-A3: MOV between the accumulator and an absolute offset (moffs) as
    // wide as the address size.
    Result<void> moffs(u8 opcode) {
        out_.operation = Operation::Mov;
        out_.form = opcode < 0xa2 ? OperandForm::RegisterMemory : OperandForm::MemoryRegister;
        set_sizes(!(opcode & 1));
        set_register(x86::RAX, out_.operand_size);
        MemoryOperand& m = out_.memory;
        m.address_size = address_size();
        m.displacement = i64(TRY(next_little_endian(m.address_size)));
        set_default_segment(x86::DS);
        return {};
    }

    // MOVS/LODS read [seg:rSI] (DS unless overridden); STOS writes ES:[rDI]
    // (never overridden). `memory` describes that operand.
    Result<void> string_operation(Operation operation, bool byte_op) {
        out_.operation = operation;
        out_.form = OperandForm::String;
        set_sizes(byte_op);
        set_register(x86::RAX, 8); // the accumulator, never AH
        MemoryOperand& m = out_.memory;
        m.address_size = address_size();
        if (operation == Operation::Stos) {
            m.base = x86::RDI;
            m.segment = x86::ES;
        } else {
            m.base = x86::RSI;
            set_default_segment(x86::DS);
        }
        return {};
    }

    // F6/F7: TEST E,imm (/0), NOT (/2), NEG (/3). MUL/IMUL/DIV/IDIV are not
    // emulated.
    Result<void> group3(bool byte_op) {
        set_sizes(byte_op);
        u8 group = TRY(read_modrm(out_.operand_size));
        switch (group) {
        case 0:
            out_.operation = Operation::Test;
            out_.form = OperandForm::MemoryImmediate;
            return read_immediate(byte_op ? 1 : immediate_z_size());
        case 2:
            out_.operation = Operation::Not;
            out_.form = OperandForm::Memory;
            return {};
        case 3:
            out_.operation = Operation::Neg;
            out_.form = OperandForm::Memory;
            return {};
        default:
            return unsupported();
        }
    }

    // FE/FF: INC (/0) and DEC (/1); the rest (CALL, JMP, PUSH) are not
    // memory accesses the emulator performs.
    Result<void> group4_5(bool byte_op) {
        set_sizes(byte_op);
        u8 group = TRY(read_modrm(out_.operand_size));
        if (group > 1)
            return unsupported();
        out_.operation = group == 0 ? Operation::Inc : Operation::Dec;
        out_.form = OperandForm::Memory;
        return {};
    }

    // LOCK is valid only on read-modify-write instructions with a memory
    // destination; elsewhere the CPU raises #UD.
    Result<void> check_lock() {
        if (!out_.prefixes.lock)
            return {};
        bool writes_memory = out_.form == OperandForm::MemoryRegister ||
                             out_.form == OperandForm::MemoryImmediate ||
                             out_.form == OperandForm::Memory;
        switch (out_.operation) {
        case Operation::Add:
        case Operation::Or:
        case Operation::Adc:
        case Operation::Sbb:
        case Operation::And:
        case Operation::Sub:
        case Operation::Xor:
        case Operation::Xchg:
        case Operation::Not:
        case Operation::Neg:
        case Operation::Inc:
        case Operation::Dec:
        case Operation::Bts:
        case Operation::Btr:
        case Operation::Btc:
            if (writes_memory)
                return {};
            break;
        default:
            break;
        }
        return fail(Errno::NotSup, "LOCK prefix on an instruction that does not allow it (#UD)");
    }

    const u8* bytes_;
    usize available_;
    usize at_ = 0;
    FailureDetail* detail_;
    Instruction out_;
};

} // namespace

const char* operation_name(Operation operation) {
    switch (operation) {
    case Operation::Mov:
        return "MOV";
    case Operation::Movzx:
        return "MOVZX";
    case Operation::Movsx:
        return "MOVSX";
    case Operation::Add:
        return "ADD";
    case Operation::Or:
        return "OR";
    case Operation::Adc:
        return "ADC";
    case Operation::Sbb:
        return "SBB";
    case Operation::And:
        return "AND";
    case Operation::Sub:
        return "SUB";
    case Operation::Xor:
        return "XOR";
    case Operation::Cmp:
        return "CMP";
    case Operation::Test:
        return "TEST";
    case Operation::Xchg:
        return "XCHG";
    case Operation::Not:
        return "NOT";
    case Operation::Neg:
        return "NEG";
    case Operation::Inc:
        return "INC";
    case Operation::Dec:
        return "DEC";
    case Operation::Bt:
        return "BT";
    case Operation::Bts:
        return "BTS";
    case Operation::Btr:
        return "BTR";
    case Operation::Btc:
        return "BTC";
    case Operation::Movs:
        return "MOVS";
    case Operation::Stos:
        return "STOS";
    case Operation::Lods:
        return "LODS";
    }
    return "?";
}

u64 effective_address(const Instruction& instruction, const x86::Registers& regs) {
    const MemoryOperand& m = instruction.memory;
    u64 address = u64(m.displacement);
    if (m.rip_relative)
        address += regs.rip + instruction.length;
    if (m.base != kNoRegister)
        address += regs.gpr[m.base];
    if (m.index != kNoRegister)
        address += regs.gpr[m.index] * m.scale;
    return address & size_mask(m.address_size);
}

Result<Instruction> decode_instruction(const u8* bytes, usize available, CpuMode mode,
                                       FailureDetail* detail) {
    Decoder decoder(bytes, available, mode, detail);
    return decoder.run();
}

} // namespace v3::decode
