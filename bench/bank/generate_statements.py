#!/usr/bin/env python3
"""The same N bank transactions as a camt.053 file, an MT940 file and a CSV file, for
bench/bank_ingest.sh (issue 18's throughput figure: bank formats against CSV, side by side).

    bench/bank/generate_statements.py N OUT_DIR      # writes OUT_DIR/statement.{xml,sta,csv}

One statement per 10,000 transactions (a day's statement of a busy account), each with opening and
closing balances that add up; counterparties, references and remittance texts vary as in real
statements. Deterministic (seeded), so runs compare like with like.
"""
import os
import random
import sys

PER_STATEMENT = 10_000
NAMES = ["ACME TRADING", "GLOBEX CORP", "INITECH", "NORTHWIND TRADING", "STARK INDUSTRIES", "UMBRELLA CO",
         "WAYNE ENTERPRISES", "HOOLI", "CLOUDCO", "VANDELAY IMPORTS", "SOYLENT GMBH", "TYRELL BV"]


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(18)
    iban = "DE44500105175407324931"
    xml = open(os.path.join(out, "statement.xml"), "w")
    sta = open(os.path.join(out, "statement.sta"), "w", newline="")
    csv = open(os.path.join(out, "statement.csv"), "w", newline="")
    csv.write("id,booking_date,value_date,amount,currency,counterparty,counterparty_account,reference,description\r\n")
    xml.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt>\n'
              '<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2025-01-01T06:00:00</CreDtTm></GrpHdr>\n')
    balance = 100_000_000
    done = 0
    statement = 0
    while done < n:
        statement += 1
        count = min(PER_STATEMENT, n - done)
        day = 1 + (statement - 1) % 28
        month = 1 + ((statement - 1) // 28) % 12
        year = 2025 + (statement - 1) // 336
        date = f"{year}-{month:02d}-{day:02d}"
        yymmdd = f"{year % 100:02d}{month:02d}{day:02d}"
        rows = []
        for i in range(count):
            minor = rnd.randint(100, 500_000)
            credit = rnd.random() < 0.5
            name = rnd.choice(NAMES)
            ref = f"INV-{year}-{done + i + 1:07d}"
            cp_iban = f"NL{rnd.randint(10, 99)}ABNA{rnd.randint(10**9, 10**10 - 1)}"
            text = f"PAYMENT {name} INVOICE {ref} ORDER {rnd.randint(1000, 9999)}"
            rows.append((f"T{done + i + 1}", minor if credit else -minor, name, cp_iban, ref, text))
        total = sum(r[1] for r in rows)
        opening, closing = balance, balance + total
        balance = closing

        def amt(m, sep):
            return f"{abs(m) // 100}{sep}{abs(m) % 100:02d}"

        xml.write(f'<Stmt><Id>S{statement}</Id><ElctrncSeqNb>{statement}</ElctrncSeqNb>'
                  f'<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n')
        for code, m in (("OPBD", opening), ("CLBD", closing)):
            xml.write(f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amt(m, ".")}</Amt>'
                      f'<CdtDbtInd>{"CRDT" if m >= 0 else "DBIT"}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\n')
        sta.write(f":20:S{statement}\r\n:25:{iban}\r\n:28C:{statement}/1\r\n"
                  f":60F:{'C' if opening >= 0 else 'D'}{yymmdd}EUR{amt(opening, ',')}\r\n")
        for (tid, m, name, cp, ref, text) in rows:
            cd = "CRDT" if m >= 0 else "DBIT"
            role = "Dbtr" if m >= 0 else "Cdtr"
            xml.write(f'<Ntry><Amt Ccy="EUR">{amt(m, ".")}</Amt><CdtDbtInd>{cd}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
                      f'<BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt><AcctSvcrRef>{tid}</AcctSvcrRef>'
                      f'<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>'
                      f'<NtryDtls><TxDtls><Refs><EndToEndId>{ref}</EndToEndId></Refs>'
                      f'<RltdPties><{role}><Pty><Nm>{name}</Nm></Pty></{role}><{role}Acct><Id><IBAN>{cp}</IBAN></Id>'
                      f'</{role}Acct></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n')
            sta.write(f":61:{yymmdd}{yymmdd[2:]}{'C' if m >= 0 else 'D'}{amt(m, ',')}NTRF{ref}//{tid}\r\n"
                      f":86:/EREF/{ref}/NAME/{name}/IBAN/{cp}\r\n/REMI/{text}/\r\n")
            csv.write(f"{tid},{date},{date},{m / 100:.2f},EUR,{name},{cp},{ref},{text}\r\n")
        xml.write("</Stmt>\n")
        sta.write(f":62F:{'C' if closing >= 0 else 'D'}{yymmdd}EUR{amt(closing, ',')}\r\n-\r\n")
        done += count
    xml.write("</BkToCstmrStmt>\n</Document>\n")


if __name__ == "__main__":
    main()
