/// The PSP's business decline codes, as in the seed.
public enum DeclineCode {
    public static let insufficientFunds = "INSUFFICIENT_FUNDS"
    public static let cardDeclined = "CARD_DECLINED"
    public static let expiredCard = "EXPIRED_CARD"
    public static let invalidCard = "INVALID_CARD"
    public static let fraudSuspected = "FRAUD_SUSPECTED"
    public static let all = [insufficientFunds, cardDeclined, expiredCard, invalidCard, fraudSuspected]
}
